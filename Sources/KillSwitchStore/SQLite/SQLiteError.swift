import CSQLite

/// A failure reported by SQLite, with the statement it concerned.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var message: String
    public var sql: String?

    public var description: String {
        if let sql { return "SQLite error \(code): \(message) (in: \(sql.prefix(200)))" }
        return "SQLite error \(code): \(message)"
    }

    /// SQLITE_CONSTRAINT and its extended codes (triggers raising ABORT land here too).
    public var isConstraint: Bool { code & 0xff == SQLITE_CONSTRAINT }
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
}
