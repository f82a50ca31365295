import Synchronization

/// Background tasks the service started and must let finish before it stops.
final class RunningTasks: Sendable {
    private let tasks = Mutex<[Int: Task<Void, Never>]>([:])
    private let nextKey = Atomic<Int>(0)

    func start(_ body: @escaping @Sendable () async -> Void) {
        let key = nextKey.add(1, ordering: .relaxed).newValue
        tasks.withLock { tasks in
            tasks[key] = Task { [weak self] in
                await body()
                _ = self?.tasks.withLock { $0.removeValue(forKey: key) }
            }
        }
    }

    func waitForAll() async {
        while let next = tasks.withLock({ $0.values.first }) {
            await next.value
            // A finished task removes itself; this covers one that finished before it was stored.
            tasks.withLock { tasks in tasks = tasks.filter { !$0.value.isCancelled && $0.value != next } }
        }
    }
}
