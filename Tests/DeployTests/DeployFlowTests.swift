import AWS
import Deploy
import ECS
import Foundation
import Ledger
import Simulation
import TestSupport
import Testing

/// The deploy flow on the simulated ECS and registry, on virtual time: nothing sleeps.
struct DeployFlowTests {
    @Test func aSuccessfulDeployRecordsEveryStepAndLeavesTheServiceOnTheNewRevision() async throws {
        let harness = try await Harness()
        let started = harness.clock.now
        let result = try await harness.engine().deploy(app: "api", environment: "staging", tag: "3f9c2e1", trigger: .merge, metadata: Harness.cara)

        #expect(result.outcome == .succeeded)
        #expect(result.id == "deployment-api-staging-1")
        #expect(try harness.types(result.id).filter { $0 != ServiceEventReported.eventType } == [
            "DeploymentRequested", "ImageVerified", "ImageVerified", "TaskDefinitionRendered", "TaskDefinitionRegistered",
            "ServiceUpdated", "VersionChecked", "DeploymentStable",
        ])
        let reported = try harness.store.events(EventFilter(stream: result.id, type: ServiceEventReported.eventType))
            .map { try ServiceEventReported.decode(from: $0.data).message }
        #expect(reported.count == 3, "what ECS said during the rollout: \(reported)")
        #expect(reported.first?.hasPrefix("(service staging-api) has started 1 tasks: (task ") == true)
        #expect(reported.last == "(service staging-api) has reached a steady state.")
        let running = try await harness.runningImages("staging-api")
        #expect(running.family == "staging-api")
        #expect(running.images == ["django": "ghcr.io/wordpress/openverse-api:3f9c2e1", "nginx": "ghcr.io/wordpress/openverse-api_nginx:3f9c2e1"])
        #expect(try await harness.service("staging-api").taskDefinition.hasSuffix("task-definition/staging-api:2"))
        #expect(harness.clock.now.timeIntervalSince(started) >= 180, "the simulated rollout takes three virtual minutes")

        let state = try #require(try harness.store.environmentStates().first { $0.app == "api" && $0.environment == "staging" })
        #expect(state.tag == "3f9c2e1")
        #expect(state.revision == 2)
        #expect(state.deploymentInProgress == nil)
        let record = try #require(try harness.store.deployments().first)
        #expect(record.outcome == .succeeded)
        #expect(record.trigger == "merge")
        #expect(record.actor == "cara-contributor")
        #expect(record.durationMs == 180_000)
        #expect(try EnvironmentClaim(store: harness.store).holder(app: "api", environment: "staging") == nil)
        #expect(harness.lines.all.contains { $0.hasPrefix("[03:00] DeploymentStable") })
    }

    @Test func aDeployTheCircuitBreakerRollsBackRecordsTheRevisionECSWentBackTo() async throws {
        let harness = try await Harness()
        let result = try await harness.engine().deploy(app: "frontend", environment: "staging", tag: "broken-build", metadata: Harness.cara)

        #expect(result.outcome == .rolledBack)
        #expect(result.failureStage == "stabilize")
        #expect(result.rolledBackTo?.hasSuffix("task-definition/staging-nuxt:1") == true)
        #expect(result.reason?.contains("circuit breaker") == true)
        let types = try harness.types(result.id)
        #expect(types.suffix(2) == ["RolledBackAutomatically", "DeploymentFailed"])
        let record = try #require(try harness.store.deployments().first)
        #expect(record.outcome == .rolledBack)
        #expect(record.rolledBackTo == result.rolledBackTo)
        let state = try #require(try harness.store.environmentStates().first { $0.app == "frontend" })
        #expect(state.revision == 1)
        #expect(state.deploymentInProgress == nil)
    }

    @Test func aServiceThatIsNotStableInTimeIsRecordedAsTimedOut() async throws {
        let harness = try await Harness { $0.stableTimeout = .seconds(60) }
        let started = harness.clock.now
        let result = try await harness.engine().deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)

        #expect(result.outcome == .timedOut)
        #expect(try harness.types(result.id).last == "DeploymentTimedOut")
        let timedOut = try #require(try harness.store.events(EventFilter(stream: result.id, type: "DeploymentTimedOut")).first)
        #expect(try DeploymentTimedOut.decode(from: timedOut.data).timeoutSeconds == 60)
        #expect(try harness.store.deployments().first?.outcome == .timedOut)
        let waited = harness.clock.now.timeIntervalSince(started)
        #expect(waited >= 60 && waited < 180, "gave up at the timeout, before the rollout would have finished")
    }

    @Test func throttledECSCallsAreRetriedAndTheDeploySucceeds() async throws {
        let harness = try await Harness()
        harness.world.ecs.injectAPIFault(.throttling, count: 3, operation: "UpdateService")
        harness.world.ecs.injectAPIFault(.throttling, count: 7, operation: "DescribeServices")
        let result = try await harness.engine().deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)

        #expect(result.outcome == .succeeded)
        #expect(harness.world.ecs.attempts(of: "UpdateService") == 4)
        #expect(harness.lines.all.contains { $0.contains("ThrottlingException") }, "a poll that stayed throttled was reported and asked again")
        #expect(try harness.types(result.id).filter { $0 == "ServiceUpdated" }.count == 1)
    }

    @Test func aTagMissingFromTheRegistryIsRefusedWithTheNearestTagsAndWritesNothing() async throws {
        let harness = try await Harness()
        let error = await #expect(throws: DeployError.self) {
            try await harness.engine().deploy(app: "api", environment: "staging", tag: "3f9c2e2", metadata: Harness.cara)
        }
        #expect(error?.code == .tagNotFound)
        #expect(error?.message == "tag 3f9c2e2 not found for ghcr.io/wordpress/openverse-api; nearest existing tags: 3f9c2e1, a1b2c3d, broken-build")
        #expect(try harness.store.events().isEmpty)
    }

    @Test func anUnknownAppOrEnvironmentIsRefusedNamingTheKnownOnes() async throws {
        let harness = try await Harness()
        let app = await #expect(throws: DeployError.self) {
            try await harness.engine().deploy(app: "catalog", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        }
        #expect(app?.message == "unknown app 'catalog' (known: api, frontend, ingestion_server)")
        let environment = await #expect(throws: DeployError.self) {
            try await harness.engine().deploy(app: "api", environment: "qa", tag: "3f9c2e1", metadata: Harness.cara)
        }
        #expect(environment?.message == "app api has no environment 'qa' (known: production, staging)")
        #expect(try harness.store.events().isEmpty)
    }

    @Test func aSecondConcurrentDeployWithNoWaitIsRefusedNamingTheOneInFlight() async throws {
        let harness = try await Harness()
        var engine = harness.engine()
        var noWait = engine
        noWait.queueing.wait = false
        let plain = noWait
        let refusal = Box<String>()
        engine.afterStep = { step, _ in
            guard step == .serviceUpdated else { return }
            do {
                _ = try await plain.deploy(app: "api", environment: "staging", tag: "a1b2c3d", metadata: Harness.ana)
                refusal.set("not refused")
            } catch {
                refusal.set("\(error)")
            }
        }
        let first = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)

        #expect(first.outcome == .succeeded)
        let message = try #require(refusal.get)
        #expect(message.hasPrefix("api staging is busy: deployment deployment-api-staging-1 is in flight (tag 3f9c2e1, manual by cara-contributor"))
        #expect(try harness.store.deployments().count == 1, "the refused deploy wrote no deployment")
        #expect(try harness.types(first.id).filter { $0 != ServiceEventReported.eventType }.count == 8, "nothing of the second interleaved with the first")
    }

    @Test func twoRacingDeploysRunOneAfterTheOther() async throws {
        let harness = try await Harness()
        let engine = harness.engine()
        async let first = outcome { try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara) }
        async let second = outcome { try await engine.deploy(app: "api", environment: "staging", tag: "a1b2c3d", metadata: Harness.ana) }
        let outcomes = await [first, second]
        let claims = try harness.store.events(EventFilter(stream: EnvironmentClaim.stream(app: "api", environment: "staging")))
        let claimed = claims.filter { $0.type == "DeploymentClaimed" }.count
        // The two ran one after the other (the second waited, or came after); never both at once.
        #expect(outcomes == ["succeeded", "succeeded"])
        #expect(claims.map(\.type).filter { $0 != "DeploymentQueued" }
                == ["DeploymentClaimed", "DeploymentClaimReleased", "DeploymentClaimed", "DeploymentClaimReleased"])
        #expect(claimed == 2)
    }

    private func outcome(_ body: () async throws -> DeploymentResult) async -> String {
        do {
            return try await body().outcome.rawValue
        } catch {
            return "\(error)"
        }
    }
}

/// What ECS answers that the flow cannot carry on from ends the attempt, never leaves it open.
struct DeployFailureTests {
    @Test func aServiceMissingFromECSFailsTheDeployAtUpdate() async throws {
        let harness = try await Harness()
        let engine = harness.engine { $0.apps["api"]?.environments["staging"]?.service = "staging-api-gone" }
        let result = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        #expect(result.outcome == .failed)
        #expect(result.failureStage == "update")
        #expect(result.reason == "service staging-api-gone not found in cluster staging-default")
        #expect(try harness.store.deployments().first?.outcome == .failed)
        #expect(try EnvironmentClaim(store: harness.store).holder(app: "api", environment: "staging") == nil)
    }

    @Test func aTemplateFamilyMissingFromECSFailsTheDeployAtRender() async throws {
        let harness = try await Harness()
        let engine = harness.engine { $0.apps["api"]?.environments["staging"]?.templateFamily = "staging-api-tmpl" }
        let result = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        #expect(result.failureStage == "render")
        #expect(result.reason == "task definition staging-api-tmpl not found")
    }
}
