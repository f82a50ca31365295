import CSQLite

/// An error reported by SQLite: the extended result code, SQLite's message and
/// the SQL that failed, when there was one.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The extended result code; compare `code.primary` to match a family.
    public let code: ResultCode
    /// SQLite's own message (`sqlite3_errmsg`).
    public let message: String
    /// The statement that failed, if the failure came from one.
    public let sql: String?

    public init(code: ResultCode, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    init(code: Int32, connection: OpaquePointer?, sql: String? = nil) {
        let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        self.init(code: ResultCode(rawValue: extended), message: message, sql: sql)
    }

    public var description: String {
        var text = "SQLite error \(code.rawValue): \(message)"
        if let sql { text += " — while executing `\(sql)`" }
        return text
    }
}
