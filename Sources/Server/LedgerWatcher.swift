import Ledger
import Logging
import Synchronization

/// Wakes the open event streams when the ledger moves.
///
/// One task watches the ledger's head for all of them, reading it every `interval`: appends come
/// from other processes too (the CLI, a CI step, a second service), which no hook inside this one
/// would see, and one indexed read a fifth of a second costs nothing. The task runs only while a
/// stream is open, so an idle service reads nothing. When the head has not moved for `keepAlive`,
/// every stream is woken anyway, to send a keep-alive that stops proxies closing it.
final class LedgerWatcher: Sendable {
    /// Why a stream was woken: the head to read up to, and whether the ledger has been quiet for
    /// `keepAlive` (then the head is the one the stream already has).
    struct Wake: Sendable, Equatable {
        var head: Int64
        var isQuiet: Bool
    }

    /// One stream's wakes, until ``end()``.
    struct Subscription: Sendable {
        let wakes: AsyncStream<Wake>
        private let continuation: AsyncStream<Wake>.Continuation

        init(wakes: AsyncStream<Wake>, continuation: AsyncStream<Wake>.Continuation) {
            self.wakes = wakes
            self.continuation = continuation
        }

        /// Ends `wakes`, which ends the stream's loop; safe to call more than once.
        func end() {
            continuation.finish()
        }
    }

    private struct State {
        var subscribers: [Int: AsyncStream<Wake>.Continuation] = [:]
        var nextID = 0
        var watching: Task<Void, Never>?
    }

    let keepAlive: Duration
    private let store: EventStore
    private let interval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    init(store: EventStore, interval: Duration = .milliseconds(200), keepAlive: Duration = .seconds(15), logger: Logger) {
        self.store = store
        self.interval = interval
        self.keepAlive = keepAlive
        self.logger = logger
    }

    /// Wakes for one stream, starting the watch if it is the first.
    ///
    /// Only the newest wake is kept for a stream that has not taken it yet: each names the
    /// latest head, so a later one says all that an earlier one did.
    func subscribe() -> Subscription {
        let (wakes, continuation) = AsyncStream.makeStream(of: Wake.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            if state.watching == nil { state.watching = Task { await self.watch() } }
            return id
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return Subscription(wakes: wakes, continuation: continuation)
    }

    /// How many streams are open.
    var subscriberCount: Int {
        state.withLock { $0.subscribers.count }
    }

    /// Whether the watching task runs (only while a stream is open).
    var isWatching: Bool {
        state.withLock { $0.watching != nil }
    }

    private func unsubscribe(_ id: Int) {
        state.withLock { state in
            state.subscribers[id] = nil
            if state.subscribers.isEmpty {
                state.watching?.cancel()
                state.watching = nil
            }
        }
    }

    private func watch() async {
        var last: Int64?
        var quietSince = ContinuousClock.now
        while !Task.isCancelled {
            let head: Int64
            do {
                head = try store.head()?.position ?? 0
            } catch {
                // The streams end; their clients reconnect, and are told then if the ledger is still unreadable.
                logger.error("event streams cannot read the ledger's head", metadata: ["error": "\(error)"])
                for subscriber in state.withLock({ Array($0.subscribers.values) }) { subscriber.finish() }
                return
            }
            let now = ContinuousClock.now
            // The first read wakes every stream: one may have read its start just before a move.
            let moved = head != last
            let quiet = !moved && now - quietSince >= keepAlive
            if moved || quiet {
                last = head
                quietSince = now
                let wake = Wake(head: head, isQuiet: quiet)
                for subscriber in state.withLock({ Array($0.subscribers.values) }) { subscriber.yield(wake) }
            }
            try? await Task.sleep(for: interval)
        }
    }
}
