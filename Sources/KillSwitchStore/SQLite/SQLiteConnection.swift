import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection to an SQLite database through the system library's C API. Not thread-safe by itself:
/// its owner (the `Store` actor, or one reader) serialises access.
public final class SQLiteConnection {
    let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]

    public enum Mode: Sendable {
        case readWriteCreate
        case readOnly
        /// Read-only without creating -wal/-shm files (`immutable=1`): only safe when no writer holds the file.
        case readOnlyImmutable
    }

    public init(path: String, mode: Mode = .readWriteCreate) throws {
        _ = Self.processConfigured
        var db: OpaquePointer?
        let flags: Int32
        var location = path
        switch mode {
        case .readWriteCreate:
            flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
            SQLiteConnection.createIfMissing(path)
        case .readOnly: flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        case .readOnlyImmutable:
            flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
            location = "file:" + SQLiteConnection.uriEscape(path) + "?immutable=1"
        }
        let rc = sqlite3_open_v2(location, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "\(message): \(path)", sql: nil)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    /// Process-wide SQLite settings, applied once before the first connection (SQLite takes them only before it
    /// initialises; if something else in the process initialised it first they are skipped, which costs speed,
    /// never correctness): page-cache memory on demand (see `csqlite_config_page_cache_on_demand` in CSQLite).
    static let processConfigured: Bool = csqlite_config_page_cache_on_demand() == SQLITE_OK

    /// A new database file is created 0640 (owner writes, the daemon's group reads for audits, others
    /// nothing) before SQLite opens it; SQLite gives its -wal and -shm files the database file's mode.
    /// SQLite itself would create it 0644 less the umask.
    static func createIfMissing(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        if fd >= 0 { close(fd) }
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    private static func uriEscape(_ path: String) -> String {
        var out = ""
        for scalar in path.unicodeScalars {
            switch scalar {
            case "?", "#", "%", " ": out += String(format: "%%%02X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Runs one or more statements that return no rows of interest.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    /// A prepared statement, cached by its text: the hot paths prepare once and re-bind.
    public func cached(_ sql: String) throws -> SQLiteStatement {
        if let statement = statements[sql] {
            statement.reset()
            return statement
        }
        let statement = try SQLiteStatement(connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// A one-off prepared statement.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(connection: self, sql: sql)
    }

    /// Keeps this connection's -wal and -shm files on disk when it closes (SQLITE_FCNTL_PERSIST_WAL), so
    /// read-only auditors never have to create them. Without it the last writer to close deletes both.
    public func persistWriteAheadLog() throws {
        var on: Int32 = 1
        let rc = sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &on)
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: "could not keep the write-ahead log persistent", sql: nil) }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }
    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }
    var lastErrorCode: Int32 { sqlite3_extended_errcode(handle) }

    /// Runs `body` inside BEGIN IMMEDIATE … COMMIT, rolling back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The first column of the first row, as text.
    public func scalarText(_ sql: String) throws -> String? {
        let statement = try prepare(sql)
        return try statement.step() ? statement.text(0) : nil
    }

    public func scalarInt(_ sql: String) throws -> Int64? {
        let statement = try prepare(sql)
        return try statement.step() ? statement.optionalInt(0) : nil
    }
}
