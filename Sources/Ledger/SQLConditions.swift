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
        let statement = try db.cachedStatement(select + sql + suffix)
        defer { statement.reset() }
        try statement.bind(arguments + trailing)
        var rows: [T] = []
        while try statement.step() { rows.append(try read(statement)) }
        return rows
    }
}
