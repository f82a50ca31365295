import Deploy
import Foundation
import Ledger
import Simulation
import Testing

/// `promote` waits for the verifications production's gates name, passed in staging for the tag
/// staging runs; refusals are recorded with what is missing.
struct PromotionGatesTests {
    /// A harness whose api has `gates: [e2e, smoke]` on production, and an engine over it, with
    /// staging running 3f9c2e1.
    static func gated() async throws -> (harness: Harness, engine: DeploymentEngine, verifications: Verifications) {
        let harness = try await Harness()
        let engine = harness.engine { configuration in configuration.apps["api"]?.environments["production"]?.gates = ["e2e", "smoke"] }
        _ = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.ana)
        return (harness, engine, Verifications(configuration: engine.configuration, store: harness.store))
    }

    static func result(_ name: String, _ outcome: VerificationOutcome, tag: String = "3f9c2e1") -> VerificationRecorded {
        VerificationRecorded(app: "api", environment: "staging", tag: tag, name: name, outcome: outcome,
                             url: "https://github.com/WordPress/openverse/actions/runs/1")
    }

    @Test func aPromotionWithMissingAndFailedGatesIsRefusedRecordedAndDeploysNothing() async throws {
        let (harness, engine, verifications) = try await Self.gated()
        try await verifications.record(Self.result("e2e", .failed), metadata: Harness.cara)
        try await verifications.record(Self.result("smoke", .passed, tag: "a1b2c3d"), metadata: Harness.cara)
        let error = await #expect(throws: DeployError.self) { try await engine.promote(app: "api", metadata: Harness.ana) }
        #expect(error?.code == .gatesNotPassed)
        #expect(error?.message == "promotion of api refused: gates not passed for 3f9c2e1 in staging: e2e failed, smoke missing; nothing was deployed "
            + "(record a result with `shiplog verification record` or POST /api/v1/verifications)")
        let denied = try #require(try harness.store.events(EventFilter(type: "AccessDenied")).first)
        #expect(try AccessDenied.decode(from: denied.data) == AccessDenied(
            action: "promote", app: "api", environment: "production", reason: "gates not passed for 3f9c2e1 in staging: e2e failed, smoke missing"))
        #expect(denied.decodedMetadata().actor == "ana-maintainer")
        #expect(try harness.store.deployments(DeploymentFilter(environment: "production")).isEmpty)
    }

    @Test func aPromotionWhoseGatesPassedForTheTagStagingRunsDeploysIt() async throws {
        let (harness, engine, verifications) = try await Self.gated()
        try await verifications.record(Self.result("e2e", .passed), metadata: Harness.cara)
        try await verifications.record(Self.result("smoke", .passed), metadata: Harness.cara)
        let gates = try await engine.promotionGates(app: "api")
        #expect(gates.passed)
        #expect(gates.tag == "3f9c2e1")
        #expect(gates.gates.map(\.state) == [.passed, .passed])
        let promoted = try await engine.promote(app: "api", metadata: Harness.ana)
        #expect(promoted.outcome == .succeeded)
        #expect(promoted.tag == "3f9c2e1")
        #expect(try harness.store.events(EventFilter(type: "AccessDenied")).isEmpty)
    }

    @Test func theNewestResultPerNameCountsSoALaterFailureTakesAPassBack() async throws {
        let (harness, engine, verifications) = try await Self.gated()
        try await verifications.record(Self.result("smoke", .passed), metadata: Harness.cara)
        try await verifications.record(Self.result("e2e", .passed), metadata: Harness.cara)
        #expect(try await engine.promotionGates(app: "api").passed)
        try await verifications.record(Self.result("e2e", .failed), metadata: Harness.cara)
        let gates = try await engine.promotionGates(app: "api")
        #expect(!gates.passed)
        #expect(gates.pending.map(\.name) == ["e2e"])
        await #expect(throws: DeployError.self) { try await engine.promote(app: "api", metadata: Harness.ana) }
        try await verifications.record(Self.result("e2e", .passed), metadata: Harness.cara)
        #expect(try await engine.promote(app: "api", metadata: Harness.ana).outcome == .succeeded)
        #expect(try harness.store.audit(AuditFilter(outcome: .denied)).map(\.action) == ["promote"])
    }

    @Test func gatesFollowTheTagStagingRunsNow() async throws {
        let (_, engine, verifications) = try await Self.gated()
        try await verifications.record(Self.result("e2e", .passed), metadata: Harness.cara)
        try await verifications.record(Self.result("smoke", .passed), metadata: Harness.cara)
        _ = try await engine.deploy(app: "api", environment: "staging", tag: "a1b2c3d", metadata: Harness.ana)
        let gates = try await engine.promotionGates(app: "api")
        #expect(gates.tag == "a1b2c3d")
        #expect(gates.gates.map(\.state) == [.missing, .missing])
    }

    @Test func anAppWithoutGatesPromotesAsBefore() async throws {
        let (harness, _, _) = try await Self.gated()
        let engine = harness.engine()
        #expect(try await engine.promotionGates(app: "api").gates.isEmpty)
        #expect(try await engine.promote(app: "api", metadata: Harness.ana).outcome == .succeeded)
    }

    @Test func badResultsAreRefusedAndWriteNothing() async throws {
        let harness = try await Harness()
        let verifications = Verifications(configuration: harness.configuration, store: harness.store)
        let bad = [
            VerificationRecorded(app: "nope", environment: "staging", tag: "3f9c2e1", name: "e2e", outcome: .passed),
            VerificationRecorded(app: "api", environment: "qa", tag: "3f9c2e1", name: "e2e", outcome: .passed),
            VerificationRecorded(app: "api", environment: "staging", tag: "3f9 c2e1", name: "e2e", outcome: .passed),
            VerificationRecorded(app: "api", environment: "staging", tag: "3f9c2e1", name: "e2e/all", outcome: .passed),
            VerificationRecorded(app: "api", environment: "staging", tag: "3f9c2e1", name: "e2e", outcome: .passed, url: "ftp://example.com/run"),
        ]
        for result in bad {
            await #expect(throws: DeployError.self) { try await verifications.record(result, metadata: Harness.cara) }
        }
        #expect(try harness.store.events().isEmpty)
    }

    @Test func anActorWhoMayNotRecordIsRefusedAndTheRefusalRecorded() async throws {
        let harness = try await Harness()
        let verifications = Verifications(configuration: harness.configuration, store: harness.store)
        let error = await #expect(throws: DeployError.self) {
            try await verifications.record(Self.result("e2e", .passed), metadata: EventMetadata(actor: "mallory"))
        }
        #expect(error?.code == .accessDenied)
        #expect(try harness.store.events(EventFilter(type: "VerificationRecorded")).isEmpty)
        #expect(try harness.store.audit(AuditFilter(outcome: .denied)).map(\.action) == ["record"])
    }

    @Test func gatesAreConfiguredOnProductionOnly() throws {
        let text = ExampleConfiguration.text.replacingOccurrences(
            of: "version_endpoint: https://staging.openverse.org/version.json",
            with: "version_endpoint: https://staging.openverse.org/version.json\n        gates: [e2e]")
        #expect(throws: ConfigurationError.self) { try ShiplogConfiguration.parse(text, file: "shiplog.yml") }
        let gated = ExampleConfiguration.text.replacingOccurrences(of: "# gates: [e2e]", with: "gates: [e2e]")
        #expect(try ShiplogConfiguration.parse(gated, file: "shiplog.yml").apps["frontend"]?.environments["production"]?.gates == ["e2e"])
    }

    @Test func verificationWorkflowsAreReadAndCheckedAgainstTheApps() throws {
        let section = """

            verification:
              github_workflows:
                - {workflow: .github/workflows/playwright.yml, repository: WordPress/openverse, name: e2e, app: frontend, environment: staging, tag: short_sha}

            """
        let configuration = try ShiplogConfiguration.parse(ExampleConfiguration.text + section, file: "shiplog.yml")
        #expect(configuration.verificationWorkflows == [VerificationWorkflow(
            workflow: ".github/workflows/playwright.yml", repository: "WordPress/openverse", name: "e2e", app: "frontend", environment: "staging",
            tag: .shortSHA)])
        let broken = [
            "{workflow: e2e.yml, name: e2e, app: catalog, environment: staging}",
            "{workflow: e2e.yml, name: e2e, app: frontend, environment: qa}",
            "{workflow: e2e.yml, name: e2e, app: frontend, environment: staging, tag: sha}",
            "{workflow: e2e.yml, name: e 2 e, app: frontend, environment: staging}",
            "{name: e2e, app: frontend, environment: staging}",
        ]
        for entry in broken {
            let text = ExampleConfiguration.text + "\nverification:\n  github_workflows:\n    - \(entry)\n"
            #expect(throws: ConfigurationError.self, "\(entry)") { try ShiplogConfiguration.parse(text, file: "shiplog.yml") }
        }
    }
}
