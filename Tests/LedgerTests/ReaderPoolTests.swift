import Dispatch
import Foundation
import Ledger
import Synchronization
import Testing

@Suite struct ReaderPoolTests {
    /// An export holds its snapshot for as long as its client reads; the pool lends only a few
    /// connections, so streaming snapshots must not come out of it.
    @Test(.timeLimit(.minutes(1)))
    func streamingSnapshotsHeldByMoreClientsThanThePoolLendsLeaveOtherReadsFree() async throws {
        let ledger = TestLedger()
        let store = try ledger.open()
        _ = try await store.append([requested("1")])
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let holders = 6
        for _ in 0..<holders {
            Thread {
                _ = try? store.snapshot(streaming: true) { snapshot in
                    _ = try snapshot.treeHead()
                    held.signal()
                    release.wait()
                }
            }.start()
        }
        defer { for _ in 0..<holders { release.signal() } }
        let allHeld = (0..<holders).allSatisfy { _ in held.wait(timeout: .now() + .seconds(20)) == .success }
        try #require(allHeld, "each streaming snapshot got a connection while the others held theirs")
        #expect(try store.head()?.position == 1)
        #expect(try store.snapshot { try $0.treeHead().size } == 1)
    }

    /// Awaited reads leave Swift's cooperative pool (as many threads as cores): reads that block
    /// until a task on that pool has run must not take the threads that task needs.
    @Test(.timeLimit(.minutes(1)))
    func awaitedReadsRunOnThreadsOfTheirOwn() async throws {
        let ledger = TestLedger()
        let store = try ledger.open()
        _ = try await store.append([requested("1")])

        let readers = 4
        let entered = Entered()
        let gate = DispatchSemaphore(value: 0)
        try await withThrowingTaskGroup(of: Int64?.self) { group in
            for _ in 0..<readers {
                group.addTask {
                    try await store.reading { store in
                        entered.count.add(1, ordering: .relaxed)
                        gate.wait()
                        return try store.head()?.position
                    }
                }
            }
            // This loop runs on the cooperative pool while every read blocks.
            while entered.count.load(ordering: .relaxed) < readers { await Task.yield() }
            for _ in 0..<readers { gate.signal() }
            for try await position in group { #expect(position == 1) }
        }
    }
}

private final class Entered: Sendable {
    let count = Atomic<Int>(0)
}
