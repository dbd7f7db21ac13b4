import Foundation
import KillSwitchCore

/// Read-only access for the CLI's post-incident queries: works while the daemon is down, and for an
/// operator who cannot write the database's folder. The daemon keeps its -wal and -shm files in place
/// (WAL mode persists them), so a plain read-only open needs to create nothing; when they are absent (the
/// database was never opened by a writer since a clean checkpoint) it falls back to `immutable=1`.
public final class StoreReader {
    let db: SQLiteConnection

    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SQLiteError(code: 14, message: "no database at \(path)", sql: nil)
        }
        let walExists = FileManager.default.fileExists(atPath: path + "-wal") && FileManager.default.fileExists(atPath: path + "-shm")
        db = try StoreReader.open(path: path, preferShared: walExists)
    }

    /// A plain read-only open sees the live WAL; if that needs files it cannot create, read the file as immutable.
    private static func open(path: String, preferShared: Bool) throws -> SQLiteConnection {
        if preferShared, let db = try? SQLiteConnection(path: path, mode: .readOnly),
           (try? db.scalarInt("SELECT count(*) FROM sqlite_master")) != nil {
            return db
        }
        return try SQLiteConnection(path: path, mode: .readOnlyImmutable)
    }

    public func orders(_ filter: OrderFilter) throws -> [StoredOrder] {
        try OrderQueries.orders(db, filter)
    }

    /// The migration plan against this database (for `migrate --dry-run`).
    public func migrationPlan(_ migrations: [Migration]) throws -> Migrator.Plan {
        try Migrator(migrations: migrations).plan(db)
    }
}
