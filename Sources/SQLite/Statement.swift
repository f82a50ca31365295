import CSQLite

/// A prepared statement: bind, step, read columns, reset, reuse.
///
/// Statements are not thread-safe; they belong to the ``Connection`` that made
/// them and are finalized when released.
///
/// ```swift
/// let insert = try connection.cachedStatement("INSERT INTO t (a, b) VALUES (?, ?)")
/// try insert.execute(42, "answer")
/// ```
public final class Statement {
    /// The SQL this statement was prepared from.
    public let sql: String
    let handle: OpaquePointer
    unowned let connection: Connection

    init(connection: Connection, sql: String, persistent: Bool) throws {
        var handle: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, flags, &handle, nil)
        guard code == SQLITE_OK, let handle else {
            sqlite3_finalize(handle)
            throw SQLiteError(code: code, connection: connection.handle, sql: sql)
        }
        self.sql = sql
        self.handle = handle
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    // MARK: Binding (indexes start at 1, as in SQLite)

    public func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    public func bind(_ value: Int, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, Int64(value)))
    }

    public func bind(_ value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(handle, index, value))
    }

    public func bind(_ value: String, at index: Int32) throws {
        var value = value
        let code = value.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { text in
                // A zero-length text still needs a non-NULL pointer, or SQLite binds NULL.
                guard let base = text.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, shiplog_sqlite_transient()) }
                return sqlite3_bind_text(handle, index, base, Int32(text.count), shiplog_sqlite_transient())
            }
        }
        try check(code)
    }

    /// Binds bytes as a BLOB (an empty buffer binds a zero-length BLOB, not NULL).
    public func bind(blob: some Collection<UInt8>, at index: Int32) throws {
        let code = blob.withContiguousStorageIfAvailable { buffer in
            sqlite3_bind_blob(handle, index, buffer.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(buffer.count), shiplog_sqlite_transient())
        } ?? Array(blob).withUnsafeBufferPointer { buffer in
            sqlite3_bind_blob(handle, index, buffer.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(buffer.count), shiplog_sqlite_transient())
        }
        try check(code)
    }

    public func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds each value in order, starting at index 1.
    public func bind(_ values: [(any SQLiteBindable)?]) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            if let value { try value.bind(to: self, at: index) } else { try bindNull(at: index) }
        }
    }

    // MARK: Stepping

    /// Advances to the next row; `false` when the statement is done.
    @discardableResult
    public func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw SQLiteError(code: code, connection: connection.handle, sql: sql)
        }
    }

    /// Resets the statement and clears its bindings so it can be reused.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds `values`, runs the statement to completion, then resets it.
    public func execute(_ values: (any SQLiteBindable)?...) throws {
        defer { reset() }
        try bind(values)
        while try step() {}
    }

    /// Binds `values`, reads every row with `read`, then resets.
    public func query<T>(_ values: (any SQLiteBindable)?..., read: (Statement) throws -> T) throws -> [T] {
        defer { reset() }
        try bind(values)
        var rows: [T] = []
        while try step() { rows.append(try read(self)) }
        return rows
    }

    /// Binds `values` and reads the first row, if any, then resets.
    public func queryFirst<T>(_ values: (any SQLiteBindable)?..., read: (Statement) throws -> T) throws -> T? {
        defer { reset() }
        try bind(values)
        return try step() ? read(self) : nil
    }

    // MARK: Columns (indexes start at 0, as in SQLite)

    public func isNull(at column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    public func int64(at column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    public func int(at column: Int32) -> Int {
        Int(sqlite3_column_int64(handle, column))
    }

    public func double(at column: Int32) -> Double {
        sqlite3_column_double(handle, column)
    }

    public func string(at column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func optionalString(at column: Int32) -> String? {
        isNull(at: column) ? nil : string(at: column)
    }

    public func optionalInt64(at column: Int32) -> Int64? {
        isNull(at: column) ? nil : int64(at: column)
    }

    public func blob(at column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func columnName(at column: Int32) -> String {
        String(cString: sqlite3_column_name(handle, column))
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else {
            throw SQLiteError(code: code, connection: connection.handle, sql: sql)
        }
    }
}

/// A Swift value that binds to a statement parameter.
public protocol SQLiteBindable {
    func bind(to statement: Statement, at index: Int32) throws
}

extension Int64: SQLiteBindable {
    public func bind(to statement: Statement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension Int: SQLiteBindable {
    public func bind(to statement: Statement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension Double: SQLiteBindable {
    public func bind(to statement: Statement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension String: SQLiteBindable {
    public func bind(to statement: Statement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension Array: SQLiteBindable where Element == UInt8 {
    public func bind(to statement: Statement, at index: Int32) throws { try statement.bind(blob: self, at: index) }
}
