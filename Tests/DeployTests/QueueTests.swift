import Deploy
import ECS
import Foundation
import Ledger
import Simulation
import Testing

/// Deploys to a held environment wait their turn, one running and one waiting, the newest
/// waiting request winning (GitHub's concurrency groups); a silent holder on another host expires.
struct QueueTests {
    static let staging = EnvironmentClaim.stream(app: "api", environment: "staging")

    @Test func aDeployAskedForWhileAnotherRunsWaitsThenRunsAfterIt() async throws {
        let harness = try await Harness()
        var engine = harness.engine()
        let plain = engine
        let second = Box<Task<DeploymentResult, any Error>>()
        engine.afterStep = { step, _ in
            guard step == .serviceUpdated else { return }
            second.set(Task { try await plain.deploy(app: "api", environment: "staging", tag: "a1b2c3d", metadata: Harness.ana) })
            try await harness.waitFor(DeploymentQueued.eventType, in: Self.staging)
        }
        let first = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        let then = try await #require(second.get).value

        #expect(first.outcome == .succeeded)
        #expect(then.outcome == .succeeded)
        #expect(then.id == "deployment-api-staging-2")
        #expect(try harness.types(Self.staging) ==
                ["DeploymentClaimed", "DeploymentQueued", "DeploymentClaimReleased", "DeploymentClaimed", "DeploymentClaimReleased"])
        let events = try harness.store.events(EventFilter(stream: Self.staging))
        let queued = try DeploymentQueued.decode(from: events[1].data)
        #expect(queued.behind == "deployment-api-staging-1")
        #expect(queued.tag == "a1b2c3d")
        #expect(events[1].decodedMetadata().actor == "ana-maintainer")
        #expect(try DeploymentClaimed.decode(from: events[3].data).requestId == queued.requestId, "the claim names the request that waited")
        let firstEnd = try #require(try harness.store.events(EventFilter(stream: first.id)).last?.position)
        let secondStart = try #require(try harness.store.events(EventFilter(stream: then.id)).first?.position)
        #expect(firstEnd < secondStart, "the second deployment started after the first ended")
    }

    @Test func aNewerRequestSupersedesTheWaitingOneNamingWhoAskedForIt() async throws {
        let harness = try await Harness()
        var engine = harness.engine()
        let plain = engine
        let middle = Box<String>()
        let newest = Box<Task<DeploymentResult, any Error>>()
        engine.afterStep = { step, _ in
            guard step == .serviceUpdated else { return }
            let waiting = Task { try await plain.deploy(app: "api", environment: "staging", tag: "a1b2c3d", metadata: Harness.cara) }
            try await harness.waitFor(DeploymentQueued.eventType, in: Self.staging)
            newest.set(Task { try await plain.deploy(app: "api", environment: "staging", tag: "rel-2024.02.01.00.00.00", metadata: Harness.ana) })
            do {
                middle.set("ran: \(try await waiting.value.summary)")
            } catch {
                middle.set("\(error)")
            }
        }
        let first = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        let last = try await #require(newest.get).value

        #expect(first.outcome == .succeeded)
        let message = try #require(middle.get)
        #expect(message.hasPrefix("api staging a1b2c3d was superseded while waiting: ana-maintainer asked for rel-2024.02.01.00.00.00 (request "))
        #expect(message.hasSuffix("); nothing was deployed"))
        #expect(last.outcome == .succeeded)
        #expect(last.id == "deployment-api-staging-2", "the superseded request never got a deployment")
        #expect(try harness.types(Self.staging) == [
            "DeploymentClaimed", "DeploymentQueued", "DeploymentSuperseded", "DeploymentQueued", "DeploymentClaimReleased",
            "DeploymentClaimed", "DeploymentClaimReleased",
        ])
        let events = try harness.store.events(EventFilter(stream: Self.staging))
        let older = try DeploymentQueued.decode(from: events[1].data)
        let superseded = try DeploymentSuperseded.decode(from: events[2].data)
        let newer = try DeploymentQueued.decode(from: events[3].data)
        #expect(superseded.requestId == older.requestId)
        #expect(superseded.supersededBy == newer.requestId)
        #expect(superseded.supersedingTag == "rel-2024.02.01.00.00.00")
        #expect(superseded.supersededByActor == "ana-maintainer")
        #expect(try harness.store.deployments().map(\.tag).sorted() == ["3f9c2e1", "rel-2024.02.01.00.00.00"])
    }

    @Test func aClaimFromAnotherHostWhoseHeartbeatStoppedExpiresAndTheWaiterProceeds() async throws {
        let harness = try await Harness()
        let claim = try await harness.claimFromAnotherHost()
        let engine = harness.engine()
        let waiting = Task { try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara) }
        try await harness.waitFor(DeploymentQueued.eventType, in: Self.staging)
        harness.clock.advance(by: .seconds(121))
        let result = try await waiting.value

        #expect(result.outcome == .succeeded)
        #expect(result.id == "deployment-api-staging-2")
        #expect(try harness.types(Self.staging) ==
                ["DeploymentClaimed", "DeploymentQueued", "DeploymentClaimExpired", "DeploymentClaimed", "DeploymentClaimReleased"])
        let expired = try #require(try harness.store.events(EventFilter(stream: Self.staging, type: DeploymentClaimExpired.eventType)).first)
        let expiry = try DeploymentClaimExpired.decode(from: expired.data)
        #expect(expiry.deploymentId == "deployment-api-staging-elsewhere")
        #expect(expiry.owner == "4242@ci-runner-7")
        #expect(expiry.lastHeartbeat == claim.recordedAt, "it never beat: its claim is the last sign of life")
        #expect(expiry.ttlSeconds == 120)
        #expect(expiry.observedBy == "\(ProcessInfo.processInfo.processIdentifier)@\(ProcessInfo.processInfo.hostName)")
        #expect(expired.decodedMetadata().actor == "cara-contributor")
    }

    @Test func aClaimFromAnotherHostThatKeepsBeatingDoesNotExpire() async throws {
        let harness = try await Harness()
        _ = try await harness.claimFromAnotherHost()
        let engine = harness.engine()
        let waiting = Task { try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara) }
        try await harness.waitFor(DeploymentQueued.eventType, in: Self.staging)
        let otherHost = EnvironmentClaim(store: harness.store, clock: harness.clock)
        // Four minutes, twice the TTL, never more than one minute between beats.
        for _ in 1...4 {
            harness.clock.advance(by: .seconds(60))
            try await otherHost.beat("deployment-api-staging-elsewhere", owner: "4242@ci-runner-7", instance: "run-1")
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try harness.types(Self.staging) == ["DeploymentClaimed", "DeploymentQueued"], "still waiting")
        _ = try await harness.store.append([NewEvent(
            stream: Self.staging, DeploymentClaimReleased(deploymentId: "deployment-api-staging-elsewhere", outcome: .ended(.succeeded)))])
        let result = try await waiting.value

        #expect(result.outcome == .succeeded)
        #expect(try harness.types(Self.staging) ==
                ["DeploymentClaimed", "DeploymentQueued", "DeploymentClaimReleased", "DeploymentClaimed", "DeploymentClaimReleased"])
    }

    @Test func aWaitingDeployGivesUpAfterItsWaitTimeoutAndSaysSo() async throws {
        let harness = try await Harness()
        _ = try await harness.claimFromAnotherHost()
        var engine = harness.engine()
        engine.queueing.timeout = .seconds(300)
        let waiting = Task { try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara) }
        try await harness.waitFor(DeploymentQueued.eventType, in: Self.staging)
        let otherHost = EnvironmentClaim(store: harness.store, clock: harness.clock)
        while try harness.types(Self.staging).count < 3 {
            harness.clock.advance(by: .seconds(60))
            try await otherHost.beat("deployment-api-staging-elsewhere", owner: "4242@ci-runner-7", instance: "run-1")
            try await Task.sleep(for: .milliseconds(20))
        }
        let error = await #expect(throws: DeployError.self) { try await waiting.value }

        #expect(error?.code == .waitTimedOut)
        #expect(error?.message == "api staging 3f9c2e1 gave up after waiting 300 s for deployment deployment-api-staging-elsewhere to finish; nothing was deployed")
        #expect(try harness.types(Self.staging) == ["DeploymentClaimed", "DeploymentQueued", "DeploymentQueueTimedOut"])
        #expect(try harness.store.deployments().isEmpty)
    }
}

extension Harness {
    /// Claims api staging as a deploy run on another host would, and returns the claim.
    func claimFromAnotherHost() async throws -> RecordedEvent {
        let claim = DeploymentClaimed(deploymentId: "deployment-api-staging-elsewhere", app: "api", environment: "staging",
                                      owner: "4242@ci-runner-7", instance: "run-1", trigger: .merge)
        _ = try await store.append([NewEvent(stream: QueueTests.staging, claim, metadata: EventMetadata(actor: "ci-bot"))])
        return try #require(try store.events(EventFilter(stream: QueueTests.staging)).last)
    }

    /// Waits until `stream` holds an event of `type` (a request queued by another task).
    func waitFor(_ type: String, in stream: String) async throws {
        for _ in 0..<2000 {
            if try store.events(EventFilter(stream: stream)).contains(where: { $0.type == type }) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("no \(type) in \(stream)")
    }
}
