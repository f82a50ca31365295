import AWS
import Deploy
import ECS
import Foundation
import Ledger
import Simulation
import Synchronization
import Testing

/// Drift introduced behind the ledger's back on the simulated ECS: detected, recorded once,
/// corrected by a reconcile, resolved.
struct ReconcilerTests {
    static let ana = Harness.ana

    /// api staging deployed at `a1b2c3d` through shiplog, then pointed back at revision 1 by hand.
    func drifted() async throws -> (Harness, Reconciler, desired: String) {
        let harness = try await Harness()
        let engine = harness.engine()
        let deployed = try await engine.deploy(app: "api", environment: "staging", tag: "a1b2c3d", trigger: .merge, metadata: Self.ana)
        #expect(deployed.outcome == .succeeded)
        let desired = try await harness.service("staging-api").taskDefinition
        _ = try await harness.world.ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: "staging-api:1")
        harness.clock.advance(by: .seconds(3600))
        let reconciler = Reconciler(engine: engine, detector: DriftDetector(configuration: harness.configuration, ecs: harness.world.ecs))
        return (harness, reconciler, desired)
    }

    @Test func driftIsDetectedAndRecordedOnceHoweverManyPassesSeeIt() async throws {
        let (harness, reconciler, _) = try await drifted()
        for _ in 0..<5 {
            let pass = try await reconciler.pass(mode: .report, metadata: Self.ana)
            let api = try #require(pass.drift.services.first { $0.app == "api" && $0.environment == "staging" })
            #expect(api.status == .drifted)
            #expect(api.differences.first == "task definition: staging-api:2 in the ledger, staging-api:1 in ECS")
            #expect(api.differences.contains("image of django: ghcr.io/wordpress/openverse-api:a1b2c3d in the ledger, ghcr.io/wordpress/openverse-api:rel-2024.01.01.00.00.00 in ECS"))
            #expect(pass.drift.services.filter { $0.status == .drifted }.count == 1, "nothing else drifts")
        }
        #expect(try harness.types("drift-api-staging") == ["DriftDetected"])
        let detected = try DriftDetected.decode(from: try #require(harness.store.events(EventFilter(type: "DriftDetected")).first).data)
        #expect(detected.desired.hasPrefix("staging-api:2 "))
        #expect(detected.actual.hasPrefix("staging-api:1 "))
        let state = try #require(try harness.store.environmentStates().first { $0.app == "api" && $0.environment == "staging" })
        #expect(state.drift?.contains("task definition") == true)
    }

    @Test func reconcileDeploysTheDesiredRevisionBackAndResolvesTheDrift() async throws {
        let (harness, reconciler, desired) = try await drifted()
        _ = try await reconciler.pass(mode: .report, metadata: Self.ana)
        let pass = try await reconciler.pass(mode: .correct(nil), metadata: Self.ana)
        #expect(pass.corrections.map(\.outcome) == [.succeeded])
        #expect(pass.stillDrifting.isEmpty)
        #expect(try await harness.service("staging-api").taskDefinition == desired, "ECS runs what the ledger says again")
        #expect(try await harness.world.ecs.listTaskDefinitions(family: "staging-api").count == 2, "the desired revision was reused, not re-registered")
        let correction = try #require(try harness.store.deployments().first)
        #expect(correction.trigger == "reconcile")
        #expect(correction.outcome == .succeeded)
        #expect(try harness.types("drift-api-staging") == ["DriftDetected", "DriftCorrected", "DriftResolved"])
        let resolved = try DriftResolved.decode(from: try #require(harness.store.events(EventFilter(type: "DriftResolved")).first).data)
        #expect(resolved.how == "corrected")
        #expect(resolved.deploymentId == correction.id)

        for _ in 0..<3 { _ = try await reconciler.pass(mode: .report, metadata: Self.ana) }
        #expect(try harness.types("drift-api-staging").count == 3, "nothing more is recorded once it is back in sync")
        #expect(try harness.store.environmentStates().first { $0.app == "api" && $0.environment == "staging" }?.drift == nil)
    }

    @Test func driftChangedBackBySomeoneElseIsResolvedAsExternal() async throws {
        let (harness, reconciler, desired) = try await drifted()
        _ = try await reconciler.pass(mode: .report, metadata: Self.ana)
        _ = try await harness.world.ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: desired)
        harness.clock.advance(by: .seconds(3600))
        _ = try await reconciler.pass(mode: .report, metadata: Self.ana)
        #expect(try harness.types("drift-api-staging") == ["DriftDetected", "DriftResolved"])
        let resolved = try DriftResolved.decode(from: try #require(harness.store.events(EventFilter(type: "DriftResolved")).first).data)
        #expect(resolved.how == "external")
    }

    @Test func aDryRunChangesNothingInECSAndRecordsOnlyItsPlan() async throws {
        let (harness, reconciler, _) = try await drifted()
        let before = try harness.store.events().count
        let updates = harness.world.ecs.attempts(of: "UpdateService")
        let pass = try await reconciler.pass(mode: .dryRun, metadata: Self.ana)
        #expect(pass.plan.count == 1)
        #expect(pass.plan.first?.hasPrefix("api staging: deploy staging-api:2 ") == true)
        #expect(try await harness.service("staging-api").taskDefinition.hasSuffix("staging-api:1"))
        #expect(harness.world.ecs.attempts(of: "UpdateService") == updates)
        let written = try harness.store.events(EventFilter(after: Int64(before)))
        #expect(written.map(\.type) == ["ReconcilePlanned"])
        #expect(try harness.store.audit().first?.action == "reconcile.dry_run")
    }

    @Test func aPassCostsOneDescribeServicesCallPerTenServicesAndDescribesEachRevisionOnce() async throws {
        let (harness, reconciler, _) = try await drifted()
        let describes = harness.world.ecs.attempts(of: "DescribeServices")
        let definitions = harness.world.ecs.attempts(of: "DescribeTaskDefinition")
        let first = try await reconciler.pass(mode: .report, metadata: Self.ana)
        #expect(harness.world.ecs.attempts(of: "DescribeServices") - describes == 2, "two clusters of three services")
        #expect(first.drift.describeServicesCalls == 2 && first.drift.minimumDescribeServicesCalls == 2)
        #expect(harness.world.ecs.attempts(of: "DescribeTaskDefinition") - definitions == first.drift.describeTaskDefinitionCalls)
        let second = try await reconciler.pass(mode: .report, metadata: Self.ana)
        #expect(second.drift.describeTaskDefinitionCalls == 0, "revisions seen before come from the cache")
        #expect(harness.world.ecs.attempts(of: "DescribeTaskDefinition") - definitions == first.drift.describeTaskDefinitionCalls)
    }

    @Test func aRolloutInProgressIsDriftUnlessTheAppIgnoresIt() async throws {
        let harness = try await Harness()
        let engine = harness.engine()
        _ = try await engine.deploy(app: "frontend", environment: "staging", tag: "a1b2c3d", trigger: .merge, metadata: Self.ana)
        let desired = try await harness.service("staging-nuxt").taskDefinition
        // Someone restarts the same revision by hand: a rollout begins and is still running.
        _ = try await harness.world.ecs.updateService(cluster: "staging-default", service: "staging-nuxt", taskDefinition: desired)
        let strict = DriftDetector(configuration: harness.configuration, ecs: harness.world.ecs)
        let seen = try await strict.check(store: harness.store, app: "frontend", environment: "staging", now: harness.clock.now)
        #expect(seen.services.first?.differences == ["a rollout is in progress (2 deployments)"])
        var relaxed = harness.configuration
        relaxed.apps["frontend"]?.driftIgnore = ["rollout"]
        let ignoring = try await DriftDetector(configuration: relaxed, ecs: harness.world.ecs)
            .check(store: harness.store, app: "frontend", environment: "staging", now: harness.clock.now)
        #expect(ignoring.services.first?.status == .inSync)
    }

    @Test func aReconcilerOnAFencedLedgerRecordsAndCorrectsNothingUntilTheFenceLifts() async throws {
        let (harness, reconciler, _) = try await drifted()
        let before = try harness.store.events().count
        let fenced = Mutex(true), events = Mutex<[String]>([]), sleeps = Mutex(0), recorded = Mutex<[Int]>([])
        let store = harness.store
        harness.store.fenceWrites { fenced.withLock { $0 } ? "this service lost the lease on its replica" : nil }
        var loop = ReconcileLoop(reconciler: reconciler, holder: "replicated", interval: .seconds(60))
        loop.sleep = { _ in
            recorded.withLock { $0.append((try? store.events().count) ?? -1) }
            // Three waits on the fence, then the lease is back.
            if sleeps.withLock({ $0 += 1; return $0 }) == 3 { fenced.withLock { $0 = false } }
        }
        loop.report = { event in
            switch event {
            case .passed(let pass): events.withLock { $0.append("passed, \(pass.corrections.count) corrected") }
            case .fenced(let reason): events.withLock { $0.append("fenced: \(reason)") }
            case .waitingForLease, .throttled: events.withLock { $0.append("\(event)") }
            }
        }
        try await loop.run(passes: 1, metadata: Self.ana)
        #expect(events.withLock { $0 }.first == "fenced: this service lost the lease on its replica", "said once, however long it lasts")
        #expect(events.withLock { $0 }.count == 2, "\(events.withLock { $0 })")
        #expect(events.withLock { $0 }.last?.hasPrefix("passed") == true, "one pass once writes were allowed again")
        #expect(sleeps.withLock { $0 } == 3)
        #expect(recorded.withLock { $0 } == [before, before, before], "nothing was written while fenced")
        #expect(try harness.store.events().count > before, "the pass after the fence lifted recorded the drift")
    }

    @Test func aLeaseLostBetweenTakingTheReconcilersLeaseAndRecordingDriftFencesThePassAndTheLoopGoesOn() async throws {
        let (harness, reconciler, _) = try await drifted()
        let before = try harness.store.events().count
        // 0: the next write (taking the reconciler's lease) passes, then the fence rises; 1: fenced; 2: lifted.
        let phase = Mutex(0), events = Mutex<[String]>([]), recorded = Mutex<[Int]>([])
        let store = harness.store
        store.fenceWrites {
            phase.withLock { phase in
                if phase == 0 { phase = 1; return nil }
                return phase == 1 ? "this service lost the lease on its replica" : nil
            }
        }
        var loop = ReconcileLoop(reconciler: reconciler, holder: "replicated", interval: .seconds(60))
        loop.sleep = { _ in
            recorded.withLock { $0.append((try? store.events().count) ?? -1) }
            phase.withLock { $0 = 2 }
        }
        loop.report = { event in
            switch event {
            case .passed: events.withLock { $0.append("passed") }
            case .fenced: events.withLock { $0.append("fenced") }
            case .waitingForLease, .throttled: events.withLock { $0.append("\(event)") }
            }
        }
        try await loop.run(passes: 1, metadata: Self.ana)
        #expect(events.withLock { $0 } == ["fenced", "passed"], "the fenced pass did not end the loop nor count")
        #expect(recorded.withLock { $0 } == [before], "the fenced pass recorded nothing")
        #expect(try harness.store.events().count > before)
    }

    @Test func twoReconcilersOnOneLedgerNeverBothAct() async throws {
        let (harness, reconciler, _) = try await drifted()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await harness.store.acquireLease(ReconcileLoop.leaseName, holder: "first", now: start, duration: 180))
        #expect(try await !harness.store.acquireLease(ReconcileLoop.leaseName, holder: "second", now: start.addingTimeInterval(60), duration: 180))

        // The second process's loop waits while the first holds the lease, then takes over when it expires.
        let now = Mutex(start), events = Mutex<[String]>([])
        var second = ReconcileLoop(reconciler: reconciler, holder: "second", interval: .seconds(60))
        second.now = { now.withLock { $0 } }
        second.sleep = { duration in now.withLock { $0 = $0.addingTimeInterval(Double(duration.components.seconds)) } }
        second.report = { event in
            let at = now.withLock { $0 }.timeIntervalSince(start)
            switch event {
            case .passed: events.withLock { $0.append("passed at \(Int(at))") }
            case .waitingForLease(let holder, _): events.withLock { $0.append("waited for \(holder) at \(Int(at))") }
            case .throttled: events.withLock { $0.append("throttled") }
            case .fenced: events.withLock { $0.append("fenced") }
            }
        }
        try await second.run(passes: 1, metadata: Self.ana)
        #expect(events.withLock { $0 } == ["waited for first at 0", "waited for first at 60", "waited for first at 120", "passed at 180"])
        #expect(try harness.store.leaseHolder(ReconcileLoop.leaseName, now: start.addingTimeInterval(200)) == nil, "released when it stopped")
    }
}

/// The simulated ECS, except that one task definition revision was deleted (DescribeTaskDefinition
/// answers ECS's ClientException for it).
struct ECSWithADeletedRevision: ECSClient {
    let base: SimulatedECS
    let deleted: String

    func createCluster(name: String) async throws -> ECSCluster { try await base.createCluster(name: name) }
    func describeTaskDefinition(_ reference: String) async throws -> TaskDefinition {
        guard reference != deleted else {
            throw AWSError(kind: .service, code: "ClientException", message: "Unable to describe task definition.", operation: "ecs:DescribeTaskDefinition", statusCode: 400)
        }
        return try await base.describeTaskDefinition(reference)
    }
    func registerTaskDefinition(_ definition: TaskDefinition) async throws -> TaskDefinition { try await base.registerTaskDefinition(definition) }
    func listTaskDefinitions(family: String) async throws -> [String] { try await base.listTaskDefinitions(family: family) }
    func createService(cluster: String, name: String, taskDefinition: String, desiredCount: Int) async throws -> ECSService {
        try await base.createService(cluster: cluster, name: name, taskDefinition: taskDefinition, desiredCount: desiredCount)
    }
    func updateService(cluster: String, service: String, taskDefinition: String) async throws -> ECSService {
        try await base.updateService(cluster: cluster, service: service, taskDefinition: taskDefinition)
    }
    func describeServices(cluster: String, services: [String]) async throws -> ServiceDescriptions {
        try await base.describeServices(cluster: cluster, services: services)
    }
}

extension ReconcilerTests {
    @Test func aServiceThatCannotBeCheckedIsReportedAndTheOthersAreStillChecked() async throws {
        let harness = try await Harness()
        let engine = harness.engine()
        for app in ["api", "frontend"] {
            #expect(try await engine.deploy(app: app, environment: "staging", tag: "a1b2c3d", trigger: .merge, metadata: Self.ana).outcome == .succeeded)
        }
        let apiRevision = try await harness.service("staging-api").taskDefinition
        _ = try await harness.world.ecs.updateService(cluster: "staging-default", service: "staging-nuxt", taskDefinition: "staging-nuxt:1")
        harness.clock.advance(by: .seconds(3600))
        let detector = DriftDetector(configuration: harness.configuration, ecs: ECSWithADeletedRevision(base: harness.world.ecs, deleted: apiRevision))
        let pass = try await detector.check(store: harness.store, now: harness.clock.now)
        let api = try #require(pass.services.first { $0.app == "api" && $0.environment == "staging" })
        #expect(api.status == .error)
        #expect(api.error?.contains("Unable to describe task definition") == true, "\(api.error ?? "")")
        let frontend = try #require(pass.services.first { $0.app == "frontend" && $0.environment == "staging" })
        #expect(frontend.status == .drifted, "the others are still checked")
    }
}
