import Foundation
import TOMLKit

/// The secrets file: a TOML table per venue id with `key`, `secret` and (Bitget) `passphrase`. Refused when
/// group or others can access it. Errors never quote a value from it.
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
}
