import Dispatch
import Foundation
import Ledger
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
}
