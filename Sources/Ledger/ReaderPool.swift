import SQLite
import Synchronization

/// A small pool of read-only connections, lent one at a time.
///
/// In WAL mode readers never block the writer nor each other, and each sees
/// the log as of the last commit when its read began.
final class ReaderPool: Sendable {
    private let path: String
    private let capacity: Int
    private let idle = Mutex<[UncheckedConnection]>([])

    init(path: String, capacity: Int = 4) {
        self.path = path
        self.capacity = capacity
    }

    func read<T>(_ body: (Connection) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? UncheckedConnection(try Connection(path: path, mode: .readOnly))
        defer {
            idle.withLock { connections in
                if connections.count < capacity { connections.append(connection) }
            }
        }
        return try body(connection.value)
    }
}

/// A connection handed between threads; the pool and the writer guarantee
/// that one thread at a time uses it.
struct UncheckedConnection: @unchecked Sendable {
    let value: Connection
    init(_ value: Connection) { self.value = value }
}
