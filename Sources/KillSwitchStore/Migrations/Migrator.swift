import Foundation

/// Applies migrations in order, each in its own transaction, recording each in `schema_migrations` with its
/// SHA-256; refuses a database where an applied file has changed or disappeared.
public struct Migrator {
    public let migrations: [Migration]

    public init(migrations: [Migration]) throws {
        var seen = Set<Int>()
        for migration in migrations where !seen.insert(migration.version).inserted {
            throw MigrationError.duplicateVersion(migration.version)
        }
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    public struct AppliedMigration: Sendable, Hashable {
        public var name: String
        public var sha256: String
        public var appliedAt: Int64
    }

    public struct Plan: Sendable {
        public var applied: [AppliedMigration]
        public var pending: [Migration]
    }

    static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            sha256     TEXT NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT
        """

    /// Verifies what is applied and returns what is pending, without changing anything.
    public func plan(_ db: SQLiteConnection) throws -> Plan {
        let exists = try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") ?? 0
        var applied: [AppliedMigration] = []
        if exists > 0 {
            let statement = try db.prepare("SELECT version, name, sha256, applied_at FROM schema_migrations ORDER BY version")
            while try statement.step() {
                applied.append(AppliedMigration(name: statement.text(1) ?? "", sha256: statement.text(2) ?? "", appliedAt: statement.int(3)))
            }
        }
        let byName = Dictionary(uniqueKeysWithValues: migrations.map { ($0.name, $0) })
        for record in applied {
            guard let migration = byName[record.name] else { throw MigrationError.disappeared(name: record.name) }
            guard migration.sha256 == record.sha256 else {
                throw MigrationError.changed(name: record.name, recorded: record.sha256, current: migration.sha256)
            }
        }
        let appliedNames = Set(applied.map(\.name))
        return Plan(applied: applied, pending: migrations.filter { !appliedNames.contains($0.name) })
    }

    /// Applies every pending migration; returns the names applied.
    @discardableResult
    public func migrate(_ db: SQLiteConnection, now: Int64) throws -> [String] {
        let pending = try plan(db).pending
        try db.execute(Migrator.createTable)
        for migration in pending {
            // A migration that rebuilds a table others reference runs with foreign keys off (the pragma is a no-op
            // inside a transaction, so it is set around it) and must leave none broken before it commits.
            let foreignKeysWereOn = migration.foreignKeysOff ? (try db.scalarInt("PRAGMA foreign_keys") ?? 0) == 1 : false
            if foreignKeysWereOn { try db.execute("PRAGMA foreign_keys = OFF") }
            defer { if foreignKeysWereOn { try? db.execute("PRAGMA foreign_keys = ON") } }
            do {
                try db.transaction {
                    try db.execute(migration.sql)
                    if migration.foreignKeysOff, let broken = try db.scalarText("SELECT \"table\" || ' row ' || rowid || ' -> ' || parent FROM pragma_foreign_key_check LIMIT 1") {
                        throw SQLiteError(code: 19, message: "leaves a broken foreign key: \(broken)", sql: nil)
                    }
                    try db.prepare("INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)")
                        .bind([.integer(Int64(migration.version)), .text(migration.name), .text(migration.sha256), .integer(now)])
                        .run()
                }
            } catch let error as SQLiteError {
                throw MigrationError.failed(name: migration.name, message: error.message)
            }
        }
        return pending.map(\.name)
    }
}
