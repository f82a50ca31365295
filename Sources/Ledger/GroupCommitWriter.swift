import Clocks
import Foundation
import SQLite
import Synchronization

/// The one writer: a dedicated thread that owns the read-write connection.
///
/// Appends that arrive while a commit is in progress wait in a queue; the next
/// transaction takes all of them at once (group commit), so many concurrent
/// appenders share one fsync. Each caller resumes only after the `COMMIT` that
/// holds its events has returned. Each append runs in its own savepoint, so a
/// refused one (a stale expected version) fails alone.
///
/// SQLite calls block; they run here rather than on Swift's cooperative pool.
final class GroupCommitWriter: @unchecked Sendable {
    typealias Work = (Connection) throws -> Void

    private enum Item {
        case append(AppendRequest, CheckedContinuation<AppendResult, any Error>)
        case exclusive(Work)
    }

    /// The most appends one transaction takes, to bound its size and latency.
    static let maximumBatch = 1024

    /// The longest the writer waits for the callers of a large batch to append again.
    static let maximumGatherWindow: TimeInterval = 0.002

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [Item] = []
    private var closed = false
    private var finished = false
    private var lastBatchSize = 1
    private var lastCommitSeconds: TimeInterval = 0

    private let connection: Connection
    private let clock: any ShiplogClock
    private let keepsTree: Bool
    /// The tree as the last committed transaction left it (writer thread only).
    private var treeAtHead: TreeAtHead?
    private var thread: Thread?
    /// Transactions that recorded the head's time because the clock read earlier.
    let clockBehindCommits = Atomic<Int>(0)
    /// Asked before every transaction; a reason refuses it (see `EventStore.fenceWrites`).
    private let fence = Mutex<(@Sendable () -> String?)?>(nil)

    init(connection: Connection, clock: any ShiplogClock, keepsTree: Bool = true) {
        self.connection = connection
        self.clock = clock
        self.keepsTree = keepsTree
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "shiplog.writer"
        self.thread = thread
        thread.start()
    }

    /// Appends `request`; returns after its transaction committed.
    func append(_ request: AppendRequest) async throws -> AppendResult {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.append(request, continuation)) { continuation.resume(throwing: LedgerError.closed) }
        }
    }

    /// Runs `work` alone on the writer connection (no appends interleave).
    func exclusive<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.exclusive({ [unowned self] connection in
                do {
                    try checkFence()
                    continuation.resume(returning: try work(connection))
                } catch {
                    continuation.resume(throwing: error)
                }
            })) { continuation.resume(throwing: LedgerError.closed) }
        }
    }

    /// Makes every later transaction ask `check` first: a reason it returns refuses the
    /// transaction with ``LedgerError/fenced(_:)``, and nothing is written.
    func setFence(_ check: @escaping @Sendable () -> String?) {
        fence.withLock { $0 = check }
    }

    private func checkFence() throws {
        if let reason = fence.withLock({ $0 })?() { throw LedgerError.fenced(reason) }
    }

    /// How many appends and exclusive items wait, for tests that shape a batch.
    var queuedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Finishes what is queued, then stops the thread and returns.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func enqueue(_ item: Item, whenClosed: () -> Void) {
        condition.lock()
        guard !closed else {
            condition.unlock()
            whenClosed()
            return
        }
        queue.append(item)
        // Broadcast: `close()` may be waiting on the same condition as the writer.
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while let batch = nextBatch() {
            switch batch {
            case .exclusive(let work):
                // Errors are delivered to the caller by the closure itself.
                try? work(connection)
            case .appends(let appends):
                commit(appends)
            }
        }
    }

    private enum Batch {
        case appends([(AppendRequest, CheckedContinuation<AppendResult, any Error>)])
        case exclusive(Work)
    }

    /// Waits for work; takes every queued append up to the next exclusive item.
    private func nextBatch() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty {
            if closed {
                finished = true
                condition.broadcast()
                return nil
            }
            condition.wait()
        }
        if case .exclusive(let work) = queue[0] {
            queue.removeFirst()
            return .exclusive(work)
        }
        // The callers of the last large batch were just answered and are likely
        // appending again: give them up to half a commit's time to share the next
        // commit, instead of paying one fsync for the first of them and another
        // for the rest (PostgreSQL's commit_delay, sized by what a commit costs here).
        if lastBatchSize > 1, queue.count < lastBatchSize, !closed {
            let window = min(lastCommitSeconds / 2, Self.maximumGatherWindow)
            let deadline = Date(timeIntervalSinceNow: window)
            while queue.count < lastBatchSize, condition.wait(until: deadline) {}
        }
        var appends: [(AppendRequest, CheckedContinuation<AppendResult, any Error>)] = []
        var taken = 0
        for item in queue {
            guard case .append(let request, let continuation) = item, appends.count < Self.maximumBatch else { break }
            appends.append((request, continuation))
            taken += 1
        }
        queue.removeFirst(taken)
        lastBatchSize = appends.count
        return .appends(appends)
    }

    private func commit(_ appends: [(AppendRequest, CheckedContinuation<AppendResult, any Error>)]) {
        let started = ContinuousClock.now
        defer {
            let elapsed = (ContinuousClock.now - started).components
            lastCommitSeconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        }
        var results: [Result<AppendResult, any Error>] = []
        results.reserveCapacity(appends.count)
        do {
            try checkFence()
            treeAtHead = try connection.transaction(.immediate) {
                var writer = try LogWriter(
                    connection: connection, time: clock.now, keepsTree: keepsTree, knownTree: treeAtHead)
                for (request, _) in appends {
                    // A lone append needs no savepoint: if it fails, the whole transaction rolls back anyway.
                    if appends.count == 1 {
                        results.append(Result { try writer.append(request) })
                    } else {
                        results.append(Result { try connection.savepoint { try writer.append(request) } })
                    }
                }
                if appends.count == 1, case .failure(let error) = results[0] { throw error }
                try writer.finish()
                if writer.clockWasBehind { clockBehindCommits.add(1, ordering: .relaxed) }
                return writer.treeAtHead
            }
        } catch let error as LedgerError where error.code == .fenced {
            results = appends.map { _ in .failure(error) }
        } catch {
            treeAtHead = nil
            let failure = (error as? SQLiteError).map { LedgerError.storage("append failed: \($0.message)", $0) } ?? error
            results = appends.map { _ in .failure(failure) }
        }
        for ((_, continuation), result) in zip(appends, results) {
            continuation.resume(with: result)
        }
    }
}
