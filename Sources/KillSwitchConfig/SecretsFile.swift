import Foundation
import TOMLKit

/// The secrets file: a TOML table per venue id with `key`, `secret` and (Bitget) `passphrase`. Refused when
/// group or others can access it, or when it belongs to anyone but root or the user reading it (whoever owns
/// it can change the keys, or the mode). systemd's `LoadCredential=` copy (mode 0400, owned by the service's
/// user) and an operator-installed 0600/0400 file owned by root or by the daemon's user pass. Errors never
/// quote a value from it.
public enum SecretsFile {
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var secret: String
        public var passphrase: String?
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    public static func read(path: String) throws(Problem) -> [String: Entry] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Problem(description: "secrets file \(path): \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw Problem(description: "secrets file \(path) is accessible by group or others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
        }
        try checkOwner(path: path, owner: info.st_uid, reader: geteuid())
        guard access(path, R_OK) == 0 else {
            throw Problem(description: "secrets file \(path) cannot be read by uid \(geteuid()): \(String(cString: strerror(errno)))")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Problem(description: "secrets file \(path) cannot be read as UTF-8 text")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            // The parser's message may quote the offending text; report only the position.
            throw Problem(description: "secrets file \(path): TOML syntax error at line \(error.source.begin.line), column \(error.source.begin.column)")
        } catch {
            throw Problem(description: "secrets file \(path): not valid TOML")
        }
        var entries: [String: Entry] = [:]
        for id in table.keys {
            guard let venue = table[id]?.table else {
                throw Problem(description: "secrets file \(path): \(id) must be a table ([\(id)])")
            }
            for name in venue.keys where !["key", "secret", "passphrase"].contains(name) {
                throw Problem(description: "secrets file \(path): [\(id)].\(name) is an unknown key; expected key, secret, passphrase")
            }
            guard let key = venue["key"]?.string, !key.isEmpty else {
                throw Problem(description: "secrets file \(path): [\(id)].key is missing or not a string")
            }
            guard let secret = venue["secret"]?.string, !secret.isEmpty else {
                throw Problem(description: "secrets file \(path): [\(id)].secret is missing or not a string")
            }
            entries[id] = Entry(key: key, secret: secret, passphrase: venue["passphrase"]?.string)
        }
        return entries
    }

    /// The file must belong to root or to `reader` (the effective uid reading it).
    static func checkOwner(path: String, owner: uid_t, reader: uid_t) throws(Problem) {
        guard owner != 0, owner != reader else { return }
        throw Problem(description: """
            secrets file \(path) belongs to uid \(owner)\(userName(owner).map { " (\($0))" } ?? ""), not to root or to the user reading it \
            (uid \(reader)\(userName(reader).map { " (\($0))" } ?? "")): its owner could change the keys; run: chown \(userName(reader) ?? String(reader)) \(path)
            """)
    }

    static func userName(_ uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }
}
