import Deploy
import ECS
import Foundation
import Ledger
import Simulation
import TestSupport
import Testing

/// `recorded_at` is the wall clock, always: the simulated ECS's virtual time (rollouts that take
/// minutes at once) goes into the events' data, where `history` reads the duration from.
struct RealTimeTests {
    @Test func aSimulatedDeployRecordsWallClockTimesAndKeepsItsSimulatedDurationInTheData() async throws {
        let before = Date()
        let harness = try await Harness()
        let virtualStart = harness.clock.now
        let result = try await harness.engine().deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        let after = Date()
        #expect(result.outcome == .succeeded)

        // The simulation's clock ran through the rollout's minutes; the ledger's did not.
        let simulated = harness.clock.now.timeIntervalSince(virtualStart)
        #expect(simulated > after.timeIntervalSince(before) + 30)
        let events = try harness.store.events(EventFilter(stream: result.id))
        for event in events {
            let recorded = try #require(Timestamp.date(from: event.recordedAt))
            #expect(recorded >= before.addingTimeInterval(-0.001) && recorded <= after.addingTimeInterval(0.001), "\(event.type) at \(event.recordedAt)")
        }
        #expect(events.map(\.recordedAt) == events.map(\.recordedAt).sorted())

        let stable = try DeploymentStable.decode(from: try #require(events.last { $0.type == DeploymentStable.eventType }).data)
        let duration = try #require(stable.durationMs)
        #expect(abs(Double(duration) / 1000 - simulated) < 1)
        // history shows the simulated duration, the same after a rebuild from the log.
        #expect(try harness.store.deployments().first { $0.id == result.id }?.durationMs == duration)
        _ = try await harness.store.rebuild()
        #expect(try harness.store.deployments().first { $0.id == result.id }?.durationMs == duration)
    }

    @Test func aFailedSimulatedDeployKeepsItsDurationToo() async throws {
        let harness = try await Harness { $0.drivers.failingTags = ["a1b2c3d"] }
        let virtualStart = harness.clock.now
        let result = try await harness.engine().deploy(app: "api", environment: "staging", tag: "a1b2c3d", metadata: Harness.cara)
        #expect(result.outcome == .rolledBack)
        let failed = try #require(try harness.store.events(EventFilter(stream: result.id, type: DeploymentFailed.eventType)).first)
        let duration = try #require(try DeploymentFailed.decode(from: failed.data).durationMs)
        #expect(abs(Double(duration) / 1000 - harness.clock.now.timeIntervalSince(virtualStart)) < 1)
        #expect(try harness.store.deployments().first { $0.id == result.id }?.durationMs == duration)
    }
}
