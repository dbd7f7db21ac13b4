import CSQLite

/// A prepared statement. Bind parameters by 1-based index, `step()` through rows, read columns by 0-based index.
public final class SQLiteStatement {
    private let handle: OpaquePointer
    private unowned let connection: SQLiteConnection
    let sql: String

    init(connection: SQLiteConnection, sql: String) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: connection.lastErrorMessage, sql: sql)
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    @discardableResult
    public func bind(_ index: Int32, _ value: String?) -> Self {
        if let value {
            sqlite3_bind_text(handle, index, value, -1, csqlite_transient())
        } else {
            sqlite3_bind_null(handle, index)
        }
        return self
    }

    @discardableResult
    public func bind(_ index: Int32, _ value: Int64?) -> Self {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
        return self
    }

    @discardableResult
    public func bind(_ index: Int32, _ value: Int?) -> Self {
        bind(index, value.map(Int64.init))
    }

    @discardableResult
    public func bind(_ index: Int32, _ value: Bool) -> Self {
        bind(index, Int64(value ? 1 : 0))
    }

    /// Binds every value in order from index 1.
    @discardableResult
    public func bind(_ values: [SQLiteValue]) -> Self {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: sqlite3_bind_null(handle, index)
            case .integer(let v): sqlite3_bind_int64(handle, index, v)
            case .text(let v): sqlite3_bind_text(handle, index, v, -1, csqlite_transient())
            }
        }
        return self
    }

    /// Advances to the next row; false when done.
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError(code: connection.lastErrorCode, message: connection.lastErrorMessage, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs a statement that returns no rows.
    public func run() throws {
        while try step() {}
    }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    public func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }

    public func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func columnName(_ column: Int32) -> String { String(cString: sqlite3_column_name(handle, column)) }

    public func value(_ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .integer(int(column))
        default: .text(text(column) ?? "")
        }
    }

    /// All rows as arrays of values (for small result sets: audits, listings).
    public func rows() throws -> [[SQLiteValue]] {
        var out: [[SQLiteValue]] = []
        while try step() {
            out.append((0..<columnCount).map(value))
        }
        return out
    }
}

public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)

    public init(_ value: String?) { self = value.map(SQLiteValue.text) ?? .null }
    public init(_ value: Int64?) { self = value.map(SQLiteValue.integer) ?? .null }

    public var textValue: String? {
        switch self {
        case .null: nil
        case .integer(let v): String(v)
        case .text(let v): v
        }
    }

    public var intValue: Int64? {
        switch self {
        case .integer(let v): v
        case .text(let v): Int64(v)
        case .null: nil
        }
    }
}
