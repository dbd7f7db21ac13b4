#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// The control socket's file: made ready before binding (a stale socket from a crashed run is replaced, a
/// live daemon's or a non-socket file is never touched), and given mode 0660 and `control.socket_group` after.
enum ControlSocketFile {
    enum Failure: Error, CustomStringConvertible, Equatable {
        case daemonAlreadyListening(path: String)
        case notASocket(path: String)
        case pathTooLong(path: String, limit: Int)
        case cannotPrepare(path: String, reason: String)

        var description: String {
            switch self {
            case .daemonAlreadyListening(let path): "control socket \(path): another daemon is answering on it; refusing to start"
            case .notASocket(let path): "control socket \(path): the path exists and is not a socket; refusing to replace it"
            case .pathTooLong(let path, let limit): "control socket \(path): path longer than \(limit) bytes (the Unix socket limit)"
            case .cannotPrepare(let path, let reason): "control socket \(path): \(reason)"
            }
        }
    }

    /// What a connect to an existing socket file says about it.
    enum Probe: Equatable {
        case answered
        case refused
        case failed(reason: String)
    }

    /// sun_path's size less its terminating NUL.
    static var maximumPathBytes: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    /// Creates the socket's folder when missing and removes a stale socket file; throws when the path is in
    /// use by a live daemon or is not a socket.
    static func prepare(path: String, logger: Logger) throws {
        guard path.utf8.count <= maximumPathBytes else { throw Failure.pathTooLong(path: path, limit: maximumPathBytes) }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            } catch {
                throw Failure.cannotPrepare(path: path, reason: "cannot create its folder \(folder): \(error.localizedDescription)")
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw Failure.notASocket(path: path) }
        switch probe(path: path) {
        case .answered:
            throw Failure.daemonAlreadyListening(path: path)
        case .refused:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw Failure.cannotPrepare(path: path, reason: "cannot remove the stale socket: \(String(cString: strerror(errno)))")
            }
            logger.warning("removed a stale control socket left by an earlier run", metadata: ["socket": "\(path)"])
        case .failed(let reason):
            throw Failure.cannotPrepare(path: path, reason: "cannot tell whether a daemon is using it (\(reason)); remove it if none is")
        }
    }

    /// Tries to connect to the socket at `path`.
    static func probe(path: String) -> Probe {
        #if os(Linux)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return .failed(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count <= maximumPathBytes else { return .failed(reason: "path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result == 0 { return .answered }
        switch errno {
        case ECONNREFUSED, ENOENT: return .refused
        default: return .failed(reason: String(cString: strerror(errno)))
        }
    }

    /// Mode 0660 and, when the group exists, that group: its members (bots and operators) can connect, nobody else can.
    static func applyPermissions(path: String, group: String, logger: Logger) {
        if chmod(path, 0o660) != 0 {
            logger.error("cannot set the control socket's mode to 0660", metadata: ["socket": "\(path)", "error": "\(String(cString: strerror(errno)))"])
        }
        guard let gid = groupID(named: group) else {
            logger.warning("control socket group does not exist; keeping the daemon's group", metadata: ["socket": "\(path)", "group": "\(group)"])
            return
        }
        if chown(path, uid_t.max, gid) != 0 {
            logger.warning("cannot give the control socket to its group", metadata: [
                "socket": "\(path)", "group": "\(group)", "error": "\(String(cString: strerror(errno)))",
            ])
        }
    }

    /// The group id of `name` (getgrnam_r: thread-safe), nil when no such group exists.
    static func groupID(named name: String) -> gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getgrnam_r(name, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    /// Removes the socket file at shutdown (only if it is still a socket).
    static func remove(path: String) {
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
    }
}
