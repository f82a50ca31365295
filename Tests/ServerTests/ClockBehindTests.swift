import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Testing

/// Times never go back along positions: a wall clock that steps back records the head's time,
/// which the service counts in a metric (and logs).
@Suite struct ClockBehindTests {
    @Test func anAppendWhileTheClockIsBehindTheHeadRecordsTheHeadsTimeAndIsCounted() async throws {
        let clock = HandClock(Date())
        let harness = try await ServiceHarness(ledgerClock: clock)
        try await harness.application().test(.router) { client in
            let before = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(before.contains("shiplog_ledger_clock_behind_total 0"), "\(before)")

            let head = try #require(try harness.store.head())
            let headTime = try #require(try harness.store.events(EventFilter()).last?.recordedAt)
            clock.advance(by: -3600)
            _ = try await harness.store.append([NewEvent(stream: "build-1", ImageBuilt(image: "ghcr.io/wordpress/openverse-api", tag: "t1"))])
            let appended = try #require(try harness.store.events(EventFilter(stream: "build-1")).first)
            #expect(appended.position == head.position + 1)
            #expect(appended.recordedAt == headTime)

            let after = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(after.contains("shiplog_ledger_clock_behind_total 1"), "\(after)")
            // Once the clock is ahead again, the wall clock is recorded and nothing more is counted.
            clock.advance(by: 7200)
            _ = try await harness.store.append([NewEvent(stream: "build-2", ImageBuilt(image: "ghcr.io/wordpress/openverse-api", tag: "t2"))])
            #expect(try harness.store.events(EventFilter(stream: "build-2")).first?.recordedAt == Timestamp.string(from: clock.now))
            let later = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(later.contains("shiplog_ledger_clock_behind_total 1"), "\(later)")
        }
    }
}
