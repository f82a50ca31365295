import CSQLite

/// One SQLite database connection.
///
/// A connection is not thread-safe: whoever owns it serialises access (the
/// ledger's writer thread, or a reader pool that lends one connection at a time).
///
/// ```swift
/// let db = try Connection(path: "ledger.sqlite", mode: .readWrite(create: true))
/// try db.transaction {
///     try db.cachedStatement("INSERT INTO t (a) VALUES (?)").execute(1)
/// }
/// ```
public final class Connection {
    /// How a connection opens its file.
    public enum Mode: Sendable, Equatable {
        /// Reads and writes; `create` makes the file when it is missing.
        case readWrite(create: Bool)
        /// Reads only; writes fail with `SQLITE_READONLY`.
        case readOnly
    }

    public let path: String
    public let mode: Mode
    let handle: OpaquePointer
    private var statements: [String: Statement] = [:]

    /// Opens the database at `path`.
    ///
    /// - Parameters:
    ///   - path: a file path, or `:memory:`.
    ///   - mode: read-write (optionally creating the file) or read-only.
    ///   - busyTimeoutMilliseconds: how long to wait for another connection's lock.
    public init(path: String, mode: Mode, busyTimeoutMilliseconds: Int32 = 5_000) throws {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readWrite(let create):
            flags |= SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)
        case .readOnly:
            flags |= SQLITE_OPEN_READONLY
        }
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        // > Whether or not an error occurs when it is opened, resources associated
        // > with the database connection handle should be released by passing it
        // > to sqlite3_close() when it is no longer required.
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError(code: code, connection: handle, sql: nil)
            sqlite3_close_v2(handle)
            throw error
        }
        self.path = path
        self.mode = mode
        self.handle = handle
        do {
            try setUp(busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    private func setUp(busyTimeoutMilliseconds: Int32) throws {
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        // Reading the schema is the first thing that touches the file: a file
        // that is not a database fails here, at open, rather than at first use.
        try execute("SELECT count(*) FROM sqlite_schema")
        if case .readWrite = mode {
            // > The WAL journaling mode uses a write-ahead log instead of a
            // > rollback journal to implement transactions. [It] is persistent.
            try execute("PRAGMA journal_mode = WAL")
            // > With synchronous=FULL in WAL mode, an additional sync operation
            // > of the WAL file happens after each transaction commit. [...]
            // > FULL ensures durability of committed transactions across power loss.
            try execute("PRAGMA synchronous = FULL")
            // The ledger's writer runs each append of a group commit in a savepoint, and SQLite
            // keeps the pages a savepoint changes in a statement journal, by default a temporary
            // file: two 4 KiB writes to it per append under wrk (2026-11-29). In memory they are
            // copies; a transaction's journal is bounded by the pages it changes.
            try execute("PRAGMA temp_store = MEMORY")
        } else {
            try execute("PRAGMA query_only = ON")
        }
        try execute("PRAGMA foreign_keys = ON")
    }

    // MARK: Statements

    /// Runs one or more SQL statements that take no parameters.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard code == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: ResultCode(rawValue: sqlite3_extended_errcode(handle)), message: message, sql: sql)
        }
    }

    /// Prepares a statement that is finalized when released.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(connection: self, sql: sql, persistent: false)
    }

    /// Returns the statement prepared for `sql`, preparing and caching it on first use.
    ///
    /// Cached statements are prepared with `SQLITE_PREPARE_PERSISTENT`: they live
    /// as long as the connection and are reset by every helper that runs them.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let statement = statements[sql] { return statement }
        let statement = try Statement(connection: self, sql: sql, persistent: true)
        statements[sql] = statement
        return statement
    }

    /// Drops a cached statement (after an error left it in an unknown state).
    public func evictStatement(_ sql: String) {
        statements[sql] = nil
    }

    // MARK: Transactions

    /// The kinds of `BEGIN`.
    public enum TransactionKind: String, Sendable {
        case deferred = "BEGIN DEFERRED"
        /// Takes the write lock at once, so a write transaction never fails
        /// half-way with SQLITE_BUSY on lock upgrade.
        case immediate = "BEGIN IMMEDIATE"
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try cachedStatement(kind.rawValue).execute()
        let result: T
        do {
            result = try body()
            try cachedStatement("COMMIT").execute()
        } catch {
            if !isAutocommit { try? execute("ROLLBACK") }
            throw error
        }
        return result
    }

    /// Runs `body` in a savepoint inside the current transaction: released when it
    /// returns, rolled back (alone) when it throws.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try cachedStatement("SAVEPOINT nested").execute()
        do {
            let result = try body()
            try cachedStatement("RELEASE nested").execute()
            return result
        } catch {
            try? cachedStatement("ROLLBACK TO nested").execute()
            try? cachedStatement("RELEASE nested").execute()
            throw error
        }
    }

    /// `true` when SQLite opened the file read-only, whatever was asked (the file
    /// or its directory is not writable).
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// `true` outside an explicit transaction.
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// The number of rows the last INSERT, UPDATE or DELETE changed.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last successful INSERT.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `PRAGMA wal_checkpoint(TRUNCATE)`.
    public func checkpoint() throws {
        try execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }
}

/// The version of the SQLite library linked in (`sqlite3_libversion`).
public func sqliteVersion() -> String {
    String(cString: sqlite3_libversion())
}
