import Foundation
import KillSwitchCore

/// Read-only access for the CLI's post-incident queries: works while the daemon is down, while it runs, and
/// for an operator who cannot write the database's folder. It never creates a file next to the database.
///
/// Why this is safe, case by case (a WAL-mode database normally needs its -wal and -shm files, and a
/// read-only open creates them when they are missing — which fails in a folder the reader cannot write):
/// - The daemon keeps the write-ahead log persistent (`SQLITE_FCNTL_PERSIST_WAL`, see `Store.configure`),
///   so once it has opened the database the -wal and -shm files stay, during a run, after a clean stop and
///   after a crash. A plain read-only open then finds both, reads the live log (consistent even while the
///   daemon writes) and creates nothing; if it cannot write the -shm it uses SQLite's read-only shm mode.
/// - With no -wal file no connection holds the database in WAL mode (a live one always has it), and every
///   commit is in the main file, so `immutable=1` reads it without touching anything. This is the
///   only case where `immutable=1` is used: it ignores a -wal and skips locking, so it would be wrong while a
///   daemon holds the file or while a log still has commits the main file lacks.
/// - A non-empty -wal whose -shm is gone cannot be read without creating the -shm: that is an error naming
///   what to do, never a silent read of a stale main file.
public final class StoreReader {
    let db: SQLiteConnection
    public let path: String

    public init(path: String) throws {
        let files = FileManager.default
        guard files.fileExists(atPath: path) else {
            throw SQLiteError(code: 14, message: "no database at \(path)", sql: nil)
        }
        self.path = path
        let walSize = (try? files.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.int64Value
        if walSize == nil {
            db = try SQLiteConnection(path: path, mode: .readOnlyImmutable)
            return
        }
        do {
            let shared = try SQLiteConnection(path: path, mode: .readOnly)
            _ = try shared.scalarInt("SELECT count(*) FROM sqlite_master")
            db = shared
        } catch {
            // An empty log holds nothing the main file lacks: reading the main file alone is exact.
            guard (walSize ?? 0) == 0 else {
                throw SQLiteError(code: 14, message: """
                    cannot read \(path) read-only: its write-ahead log (\(walSize ?? 0) bytes) needs \(path)-shm, which is \
                    missing or unreadable (\(error)); start the daemon once, or run as a user who can write the folder
                    """, sql: nil)
            }
            db = try SQLiteConnection(path: path, mode: .readOnlyImmutable)
        }
    }

    public func orders(_ filter: OrderFilter) throws -> [StoredOrder] {
        try OrderQueries.orders(db, filter)
    }

    /// The migration plan against this database (for `migrate --dry-run`).
    public func migrationPlan(_ migrations: [Migration]) throws -> Migrator.Plan {
        try Migrator(migrations: migrations).plan(db)
    }
}
