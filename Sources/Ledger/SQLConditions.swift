import SQLite

/// The `WHERE` clause of a filtered read and its arguments, from optional filters:
/// a filter that is `nil` adds nothing.
struct SQLConditions {
    private(set) var clauses: [String] = []
    private(set) var arguments: [(any SQLiteBindable)?] = []

    /// Adds `clause` (with one `?`) when `value` is not `nil`.
    mutating func add(_ clause: String, _ value: (any SQLiteBindable)?) {
        guard let value else { return }
        clauses.append(clause)
        arguments.append(value)
    }

    /// ` WHERE a = ? AND b = ?`, or nothing.
    var sql: String {
        clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
    }

    /// Runs `select` with these conditions, `suffix` (ORDER BY, LIMIT ?) and `trailing` arguments.
    func query<T>(_ db: Connection, select: String, suffix: String, trailing: [(any SQLiteBindable)?] = [],
                  read: (Statement) throws -> T) throws -> [T] {
        var rows: [T] = []
        try forEach(db, select: select, suffix: suffix, trailing: trailing) { rows.append(try read($0)) }
        return rows
    }

    /// Runs `select` like ``query(_:select:suffix:trailing:read:)`` and calls `visit` on each row
    /// as it is stepped to, holding none of them.
    func forEach(_ db: Connection, select: String, suffix: String, trailing: [(any SQLiteBindable)?] = [],
                 visit: (Statement) throws -> Void) throws {
        let statement = try db.cachedStatement(select + sql + suffix)
        defer { statement.reset() }
        try statement.bind(arguments + trailing)
        while try statement.step() { try visit(statement) }
    }
}
