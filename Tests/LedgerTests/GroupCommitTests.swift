import Foundation
import Synchronization
@testable import Ledger
import SQLite
import TestSupport
import Testing

struct GroupCommitTests {
    let ledger = TestLedger()

    @Test func concurrentAppendsFromManyTasksAllCommitWithGapFreePositions() async throws {
        let store = try ledger.open()
        let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
            for task in 0..<64 {
                group.addTask { try await store.append([requested("\(task)-a"), requested("\(task)-b")]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let positions = results.flatMap { $0.events.map(\.position) }.sorted()
        #expect(positions == Array(1...128))
        for result in results {
            #expect(result.events[1].position == result.events[0].position + 1, "one append's events are contiguous")
        }
        #expect(try store.verify().isIntact)
    }

    @Test func appendsQueuedDuringACommitShareOneTransactionAndARefusedOneFailsAlone() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("taken")])
        let writer = try #require(store.groupWriter)

        // Hold the writer so that every append below queues up and lands in one batch.
        let gate = DispatchSemaphore(value: 0), holding = DispatchSemaphore(value: 0)
        let held = Task {
            try await writer.exclusive { _ in
                holding.signal()
                gate.wait()
            }
        }
        while holding.wait(timeout: .now()) == .timedOut { try await Task.sleep(for: .milliseconds(5)) }

        let accepted = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for index in 0..<20 {
                group.addTask {
                    // Every fifth append expects a stream that already exists not to.
                    let stream = index % 5 == 0 ? "taken" : "fresh-\(index)"
                    return ("\(index)", await succeeds { try await store.append([requested(stream)], expectedVersion: .noStream) })
                }
            }
            while writer.queuedCount < 20 { try await Task.sleep(for: .milliseconds(5)) }
            gate.signal()
            try await held.value
            return try await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }

        #expect(accepted.count == 20)
        #expect(accepted.filter { $0.value }.count == 16)
        #expect(accepted.filter { !$0.value }.keys.sorted() == ["0", "10", "15", "5"])
        let events = try store.events()
        #expect(events.map(\.position) == Array(1...17))
        // One transaction: every event after the first carries the same commit time.
        #expect(Set(events.dropFirst().map(\.recordedAt)).count == 1)
        #expect(try store.verify().isIntact)
    }

    @Test func eventIdsAreVersion7UUIDsCarryingTheirCommitsTimeAndSortInLogOrder() async throws {
        let store = try ledger.open()
        for batch in 0..<5 {
            _ = try await store.append((0..<40).map { requested("\(batch)-\($0)") })
        }
        let events = try store.events()
        #expect(events.count == 200)
        for event in events {
            let id = Array(event.id)
            #expect(UUID(uuidString: event.id) != nil && event.id == event.id.lowercased(), "\(event.id)")
            #expect(id[14] == "7", "version 7: \(event.id)")
            #expect("89ab".contains(id[19]), "RFC 9562 variant: \(event.id)")
            // The first 48 bits are the commit's time in Unix milliseconds: recorded_at, to the millisecond.
            let milliseconds = UInt64(String(id[0..<8] + id[9..<13]), radix: 16)
            let recorded = try #require(Timestamp.date(from: event.recordedAt))
            #expect(milliseconds == UInt64((recorded.timeIntervalSince1970 * 1000).rounded(.down)), "\(event.id) at \(event.recordedAt)")
        }
        #expect(events.map(\.id) == events.map(\.id).sorted(), "ids made later sort later, so the id index grows at its right edge")
        #expect(Set(events.map(\.id)).count == 200)
    }

    @Test func aFencedStoreRefusesEveryWriteWithItsReasonAndWritesNothingUntilTheFenceLifts() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("before")])
        let fenced = Mutex(false)
        store.fenceWrites { fenced.withLock { $0 } ? "the lease on the replica was lost" : nil }
        _ = try await store.append([requested("while-open")])
        fenced.withLock { $0 = true }

        // Appends, alone and in one batch, a lease, service state and a checkpoint: every write path.
        let refusals = await withTaskGroup(of: LedgerError?.self) { group in
            for index in 0..<8 {
                group.addTask { await refusal { _ = try await store.append([requested("fenced-\(index)")]) } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(refusals.count == 8)
        #expect(refusals.allSatisfy { $0?.code == .fenced && $0?.message == "the lease on the replica was lost" }, "\(refusals)")
        #expect(await refusal { _ = try await store.acquireLease("notifier", holder: "me", now: Date(), duration: 60) }?.code == .fenced)
        #expect(await refusal { try await store.saveServiceState("reconciler", value: "{}", now: Date()) }?.code == .fenced)
        let signer = try NoteSigner(generatingKeyNamed: "shiplog.test")
        #expect(await refusal { _ = try await store.signCheckpoint(origin: "shiplog.test", signer: signer, time: Date()) }?.code == .fenced)
        #expect(try store.events().map(\.stream) == ["deployment-before", "deployment-while-open"])
        #expect(try store.latestCheckpoint() == nil)
        #expect(try store.leaseHolder("notifier", now: Date()) == nil)

        fenced.withLock { $0 = false }
        _ = try await store.append([requested("after")])
        #expect(try store.events().map(\.stream) == ["deployment-before", "deployment-while-open", "deployment-after"])
        #expect(try store.verify().isIntact)
    }
}

/// The ledger's refusal `body` ended with, or nil when it succeeded.
private func refusal(_ body: () async throws -> Void) async -> LedgerError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? LedgerError
    }
}
