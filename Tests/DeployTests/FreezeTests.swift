import Deploy
import ECS
import Foundation
import Ledger
import Simulation
import Testing

/// Deploys, promotions and reconcile corrections inside a freeze window: refused and recorded,
/// unless a maintainer overrides; rollbacks run.
struct FreezeTests {
    /// A harness, and an engine over it whose `environment` is frozen from an hour ago for thirty
    /// days by the ledger's (virtual) clock, with when that ends as refusals write it.
    static func frozen(_ environment: String) async throws -> (harness: Harness, engine: DeploymentEngine, until: String) {
        let harness = try await Harness()
        let start = harness.clock.now.addingTimeInterval(-3600)
        let end = start.addingTimeInterval(30 * 86_400)
        let engine = harness.engine { configuration in
            configuration.freezes[environment] = [FreezeWindow(name: "Holidays", reason: "most maintainers are away", schedule: .dated(start: start, end: end))]
        }
        return (harness, engine, end.formatted(.iso8601))
    }

    @Test func aDeployInsideAFreezeIsRefusedRecordedAndDeploysNothing() async throws {
        let (harness, engine, until) = try await Self.frozen("staging")
        let error = await #expect(throws: DeployError.self) {
            try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        }
        #expect(error?.code == .frozen)
        #expect(error?.message == "staging is frozen (Holidays: most maintainers are away) until \(until); nothing was deployed "
            + "(a maintainer may override: --override-freeze \"reason\", or override_freeze in the API)")
        let denied = try harness.store.events(EventFilter(type: "AccessDenied"))
        #expect(denied.count == 1)
        let payload = try AccessDenied.decode(from: try #require(denied.first).data)
        #expect(payload == AccessDenied(action: "deploy", app: "api", environment: "staging",
                                        reason: "staging is frozen (Holidays: most maintainers are away) until \(until)"))
        #expect(denied.first?.decodedMetadata().actor == "cara-contributor")
        #expect(try harness.store.deployments().isEmpty)
        #expect(try await harness.service("staging-api").taskDefinition.hasSuffix("staging-api:1"))
        // Other environments are not frozen.
        let production = try await engine.deploy(app: "api", environment: "production", tag: "3f9c2e1", metadata: Harness.ana)
        #expect(production.outcome == .succeeded)
    }

    @Test func aMaintainersOverrideDeploysAndIsRecordedWithTheReason() async throws {
        let (harness, engine, _) = try await Self.frozen("production")
        let result = try await engine.deploy(
            app: "api", environment: "production", tag: "3f9c2e1", overrideFreeze: "security fix CVE-2026-1234", metadata: Harness.botForAna)
        #expect(result.outcome == .succeeded)
        let requested = try #require(try harness.store.events(EventFilter(stream: result.id, type: "DeploymentRequested")).first)
        let payload = try DeploymentRequested.decode(from: requested.data)
        #expect(payload.freezeWindow == "Holidays")
        #expect(payload.freezeOverride == "security fix CVE-2026-1234")
        #expect(requested.data.contains(#""freeze_override":"security fix CVE-2026-1234""#))
        #expect(try harness.store.events(EventFilter(type: "AccessDenied")).isEmpty)
    }

    @Test func aDeployersOverrideIsRefusedAndRecorded() async throws {
        let (harness, engine, _) = try await Self.frozen("staging")
        let error = await #expect(throws: DeployError.self) {
            try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", overrideFreeze: "I am sure", metadata: Harness.cara)
        }
        #expect(error?.code == .accessDenied)
        #expect(error?.message == "access denied: cara-contributor is not a maintainer (only maintainers may override a freeze)")
        #expect(try harness.store.audit(AuditFilter(outcome: .denied)).map(\.action) == ["override_freeze"])
        #expect(try harness.store.deployments().isEmpty)
    }

    @Test func anOverrideWithoutAReasonIsBadInputAndWritesNothing() async throws {
        let (harness, engine, _) = try await Self.frozen("staging")
        for reason in ["", "  ", "two\nlines", String(repeating: "x", count: 501)] {
            let error = await #expect(throws: DeployError.self) {
                try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", overrideFreeze: reason, metadata: Harness.ana)
            }
            #expect(error?.code == .badRequest)
        }
        #expect(try harness.store.events().isEmpty)
    }

    @Test func aPromotionIntoAFrozenProductionIsRefusedAndAMaintainerMayOverride() async throws {
        let (harness, engine, _) = try await Self.frozen("production")
        _ = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.ana)
        let error = await #expect(throws: DeployError.self) { try await engine.promote(app: "api", metadata: Harness.ana) }
        #expect(error?.code == .frozen)
        #expect(try harness.store.audit(AuditFilter(outcome: .denied)).map(\.action) == ["promote"])
        #expect(try harness.store.deployments(DeploymentFilter(environment: "production")).isEmpty)

        let promoted = try await engine.promote(app: "api", overrideFreeze: "the release the freeze waited for", metadata: Harness.ana)
        #expect(promoted.outcome == .succeeded)
        let requested = try DeploymentRequested.decode(
            from: try #require(try harness.store.events(EventFilter(stream: promoted.id, type: "DeploymentRequested")).first).data)
        #expect(requested.trigger == .promotion)
        #expect(requested.freezeOverride == "the release the freeze waited for")
    }

    @Test func aRollbackRunsInsideAFreezeAndSaysWhichWindowItRanIn() async throws {
        let (harness, engine, _) = try await Self.frozen("production")
        let result = try await engine.rollback(app: "api", environment: "production", tag: "rel-2024.02.01.00.00.00", metadata: Harness.ana)
        #expect(result.outcome == .succeeded)
        let requested = try DeploymentRequested.decode(
            from: try #require(try harness.store.events(EventFilter(stream: result.id, type: "DeploymentRequested")).first).data)
        #expect(requested.freezeWindow == "Holidays")
        #expect(requested.freezeOverride == nil)
        #expect(try harness.store.events(EventFilter(type: "AccessDenied")).isEmpty)
    }

    /// A staging deploy a maintainer forced through a freeze, queued behind a promotion, is
    /// released with its override: the queue does not drop the reason (and so refuse the deploy).
    @Test func aDeployQueuedBehindAPromotionKeepsItsFreezeOverrideWhenReleased() async throws {
        let (harness, frozen, _) = try await Self.frozen("staging")
        _ = try await harness.engine().deploy(app: "api", environment: "staging", tag: "3f9c2e1", trigger: .merge, metadata: Harness.cara)
        var promoting = frozen
        let queued = Box<DeploymentResult>()
        promoting.afterStep = { step, id in
            guard step == .serviceUpdated, id.hasPrefix("deployment-api-production") else { return }
            queued.set(try await frozen.deploy(
                app: "api", environment: "staging", tag: "a1b2c3d", trigger: .merge, overrideFreeze: "the fix cannot wait", metadata: Harness.ana))
        }
        #expect(try await promoting.promote(app: "api", metadata: Harness.ana).outcome == .succeeded)
        #expect(queued.get?.isQueued == true)

        #expect(try harness.types("promotion-api") == ["PromotionQueued", "PromotionReleased"])
        let released = try #require(try harness.store.deployments(DeploymentFilter(environment: "staging")).first)
        #expect(released.tag == "a1b2c3d")
        #expect(released.outcome == .succeeded)
        let requested = try DeploymentRequested.decode(
            from: try #require(try harness.store.events(EventFilter(stream: released.id, type: "DeploymentRequested")).first).data)
        #expect(requested.freezeWindow == "Holidays")
        #expect(requested.freezeOverride == "the fix cannot wait")
    }

    @Test func aReconcileInsideAFreezePlansButDoesNotCorrectAndRecordsThatOnce() async throws {
        let harness = try await Harness()
        let deployed = try await harness.engine().deploy(app: "api", environment: "staging", tag: "a1b2c3d", metadata: Harness.ana)
        #expect(deployed.outcome == .succeeded)
        _ = try await harness.world.ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: "staging-api:1")
        let now = harness.clock.now
        let engine = harness.engine { configuration in
            configuration.freezes["staging"] = [FreezeWindow(name: "Launch", schedule: .dated(start: now, end: now.addingTimeInterval(86_400)))]
        }
        let reconciler = Reconciler(engine: engine, detector: DriftDetector(configuration: engine.configuration, ecs: harness.world.ecs))
        for _ in 0..<3 {
            let pass = try await reconciler.pass(mode: .correct(nil), metadata: Harness.ana)
            #expect(pass.corrections.isEmpty)
            #expect(pass.stillDrifting.map(\.app) == ["api"])
            #expect(pass.plan.count == 1)
            #expect(pass.plan.first?.hasPrefix("api staging: deploy staging-api:2 ") == true)
            #expect(pass.plan.first?.hasSuffix(": held, staging is frozen (Launch) until \(now.addingTimeInterval(86_400).formatted(.iso8601))") == true)
        }
        #expect(try harness.types("drift-api-staging") == ["DriftDetected", "AccessDenied"])
        #expect(try await harness.service("staging-api").taskDefinition.hasSuffix("staging-api:1"))
        #expect(try harness.store.deployments().count == 1)

        let corrected = try await reconciler.pass(mode: .correct(nil), overrideFreeze: "the launch needs the fix", metadata: Harness.ana)
        #expect(corrected.corrections.map(\.outcome) == [.succeeded])
        #expect(corrected.plan.isEmpty)
        let correction = try #require(corrected.corrections.first)
        let requested = try DeploymentRequested.decode(
            from: try #require(try harness.store.events(EventFilter(stream: correction.deploymentId, type: "DeploymentRequested")).first).data)
        #expect(requested.trigger == .reconcile)
        #expect(requested.freezeOverride == "the launch needs the fix")
    }

    @Test func aDirectReconcileCorrectionInsideAFreezeIsRefusedAsADeployIs() async throws {
        let (harness, engine, _) = try await Self.frozen("staging")
        let error = await #expect(throws: DeployError.self) {
            try await engine.reconcile(app: "api", environment: "staging", tag: "a1b2c3d", images: [:], metadata: Harness.ana)
        }
        #expect(error?.code == .frozen)
        #expect(try harness.store.audit(AuditFilter(outcome: .denied)).map(\.action) == ["reconcile"])
    }
}
