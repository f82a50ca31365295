import Foundation
import SQLite

/// A bounded pool of read-only connections, lent one at a time: when all of them are lent, a
/// read waits for one to come back rather than opening another (as GRDB's `DatabasePool` bounds
/// its readers).
///
/// In WAL mode readers never block the writer nor each other, and each sees
/// the log as of the last commit when its read began.
///
/// Reads that callers await (``onReaderThread(_:)``) run on the pool's own threads, as appends
/// run on the writer's: SQLite calls block, and Swift's cooperative pool has only as many threads
/// as cores. A concurrent `DispatchQueue` would not do: on Linux it runs on the same worker
/// threads as the cooperative pool, so reads waiting for a connection held by a task that
/// waits for a thread stalled each other (the event-stream tests timed out under load).
final class ReaderPool: @unchecked Sendable {
    private let path: String
    private let capacity: Int

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var idle: [Connection] = []
    private var opened = 0

    // Guarded by `jobsCondition`.
    private let jobsCondition = NSCondition()
    private var jobs: [() -> Void] = []
    private var threads = 0
    private var waitingThreads = 0

    /// How long a reader thread without work lives before it ends (a store's threads end with
    /// its use; a busy service keeps them).
    static let threadIdleTime: TimeInterval = 5

    init(path: String, capacity: Int = 4) {
        self.path = path
        self.capacity = capacity
    }

    /// Runs `body` on a connection of the pool, on the calling thread.
    func read<T>(_ body: (Connection) throws -> T) throws -> T {
        let connection = try borrow()
        defer { giveBack(connection) }
        return try body(connection)
    }

    /// Runs `body` on a connection opened for it alone, closed when it returns: for a read that lasts
    /// as long as a client takes to receive it (a streamed export). Held in the pool, a few slow
    /// clients would lend out every connection and make each other read — the service's included —
    /// wait; and a read nested inside it (the export's consistency proof) could wait for ever.
    func readAlone<T>(_ body: (Connection) throws -> T) throws -> T {
        try body(try Connection(path: path, mode: .readOnly))
    }

    /// Runs `work` (reads through this pool) on a reader thread; the caller's task suspends meanwhile.
    func onReaderThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Queues `job` for a reader thread, starting one (up to `capacity`, one per connection) when
    /// more jobs wait than threads wait for work.
    private func submit(_ job: @escaping () -> Void) {
        jobsCondition.lock()
        jobs.append(job)
        if jobs.count > waitingThreads, threads < capacity {
            threads += 1
            let thread = Thread { self.runJobs() }
            thread.name = "shiplog.reader"
            thread.start()
        } else {
            jobsCondition.signal()
        }
        jobsCondition.unlock()
    }

    /// A reader thread: runs queued jobs until none has come for ``threadIdleTime``.
    private func runJobs() {
        jobsCondition.lock()
        while true {
            if jobs.isEmpty {
                waitingThreads += 1
                let deadline = Date(timeIntervalSinceNow: Self.threadIdleTime)
                while jobs.isEmpty, jobsCondition.wait(until: deadline) {}
                waitingThreads -= 1
                if jobs.isEmpty {
                    threads -= 1
                    jobsCondition.unlock()
                    return
                }
            }
            let job = jobs.removeFirst()
            jobsCondition.unlock()
            job()
            jobsCondition.lock()
        }
    }

    private func borrow() throws -> Connection {
        condition.lock()
        while idle.isEmpty, opened >= capacity { condition.wait() }
        if let connection = idle.popLast() {
            condition.unlock()
            return connection
        }
        opened += 1
        condition.unlock()
        do {
            return try Connection(path: path, mode: .readOnly)
        } catch {
            condition.lock()
            opened -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func giveBack(_ connection: Connection) {
        condition.lock()
        idle.append(connection)
        condition.signal()
        condition.unlock()
    }
}
