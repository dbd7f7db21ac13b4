#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Real Unix users and groups made for one test (root only — CI runs as root), removed afterwards. Names
/// carry the pid and a random suffix so parallel or crashed runs never collide.
final class TestAccounts: @unchecked Sendable {
    struct Group {
        var name: String
        var gid: UInt32
    }

    struct User {
        var name: String
        var uid: UInt32
        /// The user's own primary group.
        var gid: UInt32
    }

    private(set) var groups: [Group] = []
    private(set) var users: [User] = []
    let tag: String

    /// Root, with useradd/groupadd/userdel (Debian: passwd) and setpriv (Debian: util-linux).
    static var canCreate: Bool {
        geteuid() == 0 && ["/usr/sbin/useradd", "/usr/sbin/groupadd", "/usr/sbin/userdel", "/usr/bin/setpriv"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    init() {
        tag = "\(getpid())\(String(UInt16.random(in: 0...UInt16.max), radix: 16))"
    }

    /// A new group `ks-<role>-<tag>`.
    func group(_ role: String) throws -> Group {
        let name = "ks-\(role)-\(tag)"
        try Self.command("/usr/sbin/groupadd", ["--system", name])
        guard let entry = getgrnam(name) else { throw Failure("groupadd \(name) left no group entry") }
        let group = Group(name: name, gid: entry.pointee.gr_gid)
        groups.append(group)
        return group
    }

    /// A new system user `ks-<role>-<tag>` with its own primary group, listed in `/etc/group` as a member of
    /// `memberOf`. No home, no shell.
    func user(_ role: String, memberOf: [Group]) throws -> User {
        let name = "ks-\(role)-\(tag)"
        var arguments = ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin"]
        if !memberOf.isEmpty { arguments += ["--groups", memberOf.map(\.name).joined(separator: ",")] }
        try Self.command("/usr/sbin/useradd", arguments + [name])
        guard let entry = getpwnam(name) else { throw Failure("useradd \(name) left no password entry") }
        let user = User(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
        users.append(user)
        return user
    }

    /// `setpriv` arguments that run a program as `user` holding exactly `groups` as its supplementary groups
    /// (what the kernel will report for it, whatever /etc/group says) and no capabilities.
    static func runAs(_ user: User, groups: [Group]) -> [String] {
        let list = groups.isEmpty ? "--clear-groups" : "--groups=\(groups.map { String($0.gid) }.joined(separator: ","))"
        return ["/usr/bin/setpriv", "--reuid=\(user.uid)", "--regid=\(user.gid)", list, "--inh-caps=-all", "--"]
    }

    func remove() {
        for user in users.reversed() {
            try? Self.command("/usr/sbin/userdel", [user.name])
            // The user's private group goes with it where USERGROUPS_ENAB is set; make sure either way.
            if getgrnam(user.name) != nil { try? Self.command("/usr/sbin/groupdel", [user.name]) }
        }
        for group in groups.reversed() { try? Self.command("/usr/sbin/groupdel", [group.name]) }
        users = []
        groups = []
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func command(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: message, as: UTF8.self))")
        }
    }

    /// A copy of `binary` every user can run: the build folder may sit under a home only root can enter.
    static func executableByAnyone(_ binary: String, in directory: String) throws -> String {
        var path = URL(fileURLWithPath: binary).deletingLastPathComponent().path
        var reachable = true
        while path != "/" && !path.isEmpty {
            var info = stat()
            if stat(path, &info) != 0 || info.st_mode & 0o001 == 0 { reachable = false }
            path = URL(fileURLWithPath: path).deletingLastPathComponent().path
        }
        guard !reachable else { return binary }
        let copy = directory + "/killswitch"
        try FileManager.default.copyItem(atPath: binary, toPath: copy)
        chmod(copy, 0o755)
        return copy
    }
}
