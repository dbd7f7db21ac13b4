import Crypto
import Foundation

/// One numbered SQL file from `Migrations/` (embedded at build time by the EmbedMigrations plugin).
public struct Migration: Sendable, Hashable {
    /// The file name, e.g. `0001_initial_schema.sql`.
    public var name: String
    /// The number the name starts with; migrations apply in this order.
    public var version: Int
    public var sql: String
    /// Lowercase hex SHA-256 of the file's exact bytes.
    public var sha256: String
    /// The file's first line is `-- migrate: foreign-keys-off`: it rebuilds a table others reference, which
    /// SQLite only allows with foreign keys off (the migrator checks them before committing).
    public var foreignKeysOff: Bool { sql.hasPrefix("-- migrate: foreign-keys-off\n") }

    public init(name: String, contents: Data) throws {
        guard name.hasSuffix(".sql"), let version = Int(name.prefix { $0.isNumber }), name.first?.isNumber == true else {
            throw MigrationError.badName(name)
        }
        guard let sql = String(data: contents, encoding: .utf8) else { throw MigrationError.notUTF8(name) }
        self.name = name
        self.version = version
        self.sql = sql
        self.sha256 = SHA256.hash(data: contents).map { String(format: "%02x", $0) }.joined()
    }

    /// The migrations compiled into this binary, in order.
    public static func embedded() throws -> [Migration] {
        try embeddedMigrationFiles.map { file in
            guard let data = Data(base64Encoded: file.base64) else { throw MigrationError.notUTF8(file.name) }
            return try Migration(name: file.name, contents: data)
        }.sorted { $0.version < $1.version }
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case badName(String)
    case notUTF8(String)
    case duplicateVersion(Int)
    case changed(name: String, recorded: String, current: String)
    case disappeared(name: String)
    case failed(name: String, message: String)

    public var description: String {
        switch self {
        case .badName(let name): "migration file \(name): name must be NNNN_description.sql"
        case .notUTF8(let name): "migration file \(name) is not UTF-8 text"
        case .duplicateVersion(let v): "two migration files share the number \(v)"
        case .changed(let name, let recorded, let current):
            "migration \(name) was applied with SHA-256 \(recorded) but the file now hashes to \(current): an applied migration must never change; add a new migration instead. Refusing to start."
        case .disappeared(let name):
            "migration \(name) was applied to this database but is no longer among the migrations: refusing to start."
        case .failed(let name, let message): "migration \(name) failed: \(message)"
        }
    }
}
