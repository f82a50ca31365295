import Deploy
import ECS
import Foundation
import Ledger
import NIOHTTP1
import Registry
import Simulation
import Synchronization
import TestSupport
import Testing

struct RollbackAndPromotionTests {
    @Test func aRollbackBySomeoneWhoIsNotAMaintainerIsRefusedAndTheRefusalRecorded() async throws {
        let harness = try await Harness()
        let engine = harness.engine()
        let error = await #expect(throws: DeployError.self) {
            try await engine.rollback(app: "api", environment: "production", tag: "rel-2024.01.01.00.00.00", metadata: Harness.cara)
        }
        #expect(error?.code == .accessDenied)
        #expect(error?.message == "access denied: cara-contributor is not a maintainer (only maintainers may rollback)")
        let bot = await #expect(throws: DeployError.self) {
            try await engine.rollback(app: "api", environment: "production", tag: "rel-2024.01.01.00.00.00",
                                      metadata: EventMetadata(actor: "openverse-bot", onBehalfOf: "cara-contributor"))
        }
        #expect(bot?.message == "access denied: bot openverse-bot may not act on behalf of cara-contributor")

        let denied = try harness.store.events(EventFilter(type: "AccessDenied"))
        #expect(denied.count == 2)
        #expect(denied.map { $0.decodedMetadata().effectiveActor } == ["cara-contributor", "cara-contributor"])
        #expect(denied.last?.decodedMetadata().actor == "openverse-bot")
        #expect(try harness.store.audit(AuditFilter(outcome: .denied)).map(\.action) == ["rollback", "rollback"])
        #expect(try harness.store.deployments().isEmpty)
        #expect(try await harness.service("production-api", cluster: "production-default").taskDefinition.hasSuffix("production-api:1"))
    }

    @Test func aBotRollingBackForAMaintainerReusesTheRevisionIdenticalToTheCurrentTemplatesRender() async throws {
        let harness = try await Harness()
        let engine = harness.engine()
        _ = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        let result = try await engine.rollback(app: "api", environment: "staging", tag: "rel-2024.01.01.00.00.00", metadata: Harness.botForAna)

        #expect(result.outcome == .succeeded)
        #expect(try harness.types(result.id).prefix(2) == ["RollbackRequested", "DeploymentRequested"])
        // The template is rendered as on any deploy; revision 1 is exactly that render, so it is reused.
        #expect(try harness.types(result.id).contains("TaskDefinitionRendered"))
        let registered = try #require(try harness.store.events(EventFilter(stream: result.id, type: "TaskDefinitionRegistered")).first)
        let payload = try TaskDefinitionRegistered.decode(from: registered.data)
        #expect(payload.reused == true)
        #expect(payload.revision == 1)
        #expect(try await harness.service("staging-api").taskDefinition.hasSuffix("staging-api:1"))
        let record = try #require(try harness.store.deployments().first)
        #expect(record.trigger == "rollback")
        #expect(record.actor == "ana-maintainer")
        #expect(record.via == "openverse-bot")
        #expect(registered.decodedMetadata() == Harness.botForAna)
    }

    @Test func aRollbackRendersTheCurrentTemplateSoVariablesAddedSinceAreKept() async throws {
        let harness = try await Harness()
        let engine = harness.engine()
        _ = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        // A variable added to the template after revision 1 ran the old tag (a rotated secret, a new setting).
        var template = try await harness.world.ecs.describeTaskDefinition("staging-api-template")
        let django = try #require(template.containerDefinitions.firstIndex { $0.name == "django" })
        template.containerDefinitions[django].environment.append(EnvironmentVariable(name: "NEW_SETTING", value: "on"))
        template.raw = template.registrationInput
        _ = try await harness.world.ecs.registerTaskDefinition(template)

        let result = try await engine.rollback(app: "api", environment: "staging", tag: "rel-2024.01.01.00.00.00", metadata: Harness.ana)
        #expect(result.outcome == .succeeded)
        let registered = try #require(try harness.store.events(EventFilter(stream: result.id, type: "TaskDefinitionRegistered")).first)
        let payload = try TaskDefinitionRegistered.decode(from: registered.data)
        #expect(payload.reused == nil)
        #expect(payload.revision == 3)
        let running = try await harness.world.ecs.describeTaskDefinition(try await harness.service("staging-api").taskDefinition)
        #expect(running.container(named: "django")?.image == "ghcr.io/wordpress/openverse-api:rel-2024.01.01.00.00.00")
        #expect(running.container(named: "django")?.environment.contains(EnvironmentVariable(name: "NEW_SETTING", value: "on")) == true)

        // On request, the old revision comes back as it was, without the variable.
        let reused = try await engine.rollback(app: "api", environment: "staging", tag: "3f9c2e1", reuseRevision: true, metadata: Harness.ana)
        #expect(reused.outcome == .succeeded)
        #expect(!(try harness.types(reused.id)).contains("TaskDefinitionRendered"))
        let again = try #require(try harness.store.events(EventFilter(stream: reused.id, type: "TaskDefinitionRegistered")).first)
        #expect(try TaskDefinitionRegistered.decode(from: again.data).revision == 2)
        let old = try await harness.world.ecs.describeTaskDefinition(try await harness.service("staging-api").taskDefinition)
        #expect(old.container(named: "django")?.environment.map(\.name).contains("NEW_SETTING") == false)
    }

    @Test func aRollbackToATagNoRevisionRanRegistersANewOne() async throws {
        let harness = try await Harness()
        let result = try await harness.engine().rollback(app: "api", environment: "staging", tag: "a1b2c3d", metadata: Harness.ana)
        #expect(result.outcome == .succeeded)
        let registered = try #require(try harness.store.events(EventFilter(stream: result.id, type: "TaskDefinitionRegistered")).first)
        #expect(try TaskDefinitionRegistered.decode(from: registered.data).reused == nil)
        #expect(try await harness.runningImages("staging-api").images["django"] == "ghcr.io/wordpress/openverse-api:a1b2c3d")
    }

    @Test func aPromotionDeploysStagingsDigestsAndQueuedStagingDeploysRunAfterIt() async throws {
        let harness = try await Harness()
        let plain = harness.engine()
        _ = try await plain.deploy(app: "api", environment: "staging", tag: "3f9c2e1", trigger: .merge, metadata: Harness.cara)
        var engine = plain
        let queued = Box<DeploymentResult>()
        engine.afterStep = { step, id in
            guard step == .serviceUpdated, id.hasPrefix("deployment-api-production") else { return }
            queued.set(try await plain.deploy(app: "api", environment: "staging", tag: "a1b2c3d", trigger: .merge, metadata: Harness.cara))
        }
        let promotion = try await engine.promote(app: "api", metadata: Harness.ana)

        #expect(promotion.outcome == .succeeded)
        #expect(queued.get?.isQueued == true)
        #expect(queued.get?.id == promotion.id)
        let digest = try await harness.world.registry.digest(repository: "wordpress/openverse-api", tag: "3f9c2e1")
        let production = try await harness.runningImages("production-api", cluster: "production-default")
        #expect(production.images["django"] == "ghcr.io/wordpress/openverse-api:3f9c2e1@\(digest)")
        #expect(try harness.store.deployments(DeploymentFilter(environment: "production")).first?.trigger == "promotion")

        #expect(try harness.types("promotion-api") == ["PromotionQueued", "PromotionReleased"])
        let staging = try harness.store.deployments(DeploymentFilter(environment: "staging"))
        #expect(staging.map(\.tag) == ["a1b2c3d", "3f9c2e1"])
        #expect(staging.first?.outcome == .succeeded)
        let promotionEnd = try #require(try harness.store.events(EventFilter(stream: promotion.id, type: "DeploymentStable")).first)
        let releasedStart = try #require(try harness.store.events(EventFilter(stream: try #require(staging.first?.id), type: "DeploymentRequested")).first)
        #expect(releasedStart.position > promotionEnd.position, "the queued deploy started only after the promotion finished")
        #expect(releasedStart.decodedMetadata().actor == "cara-contributor", "it runs as whoever asked for it")
        #expect(try await harness.runningImages("staging-api").images["django"] == "ghcr.io/wordpress/openverse-api:a1b2c3d")
    }

    @Test func aVersionEndpointStillReportingTheOldReleaseFailsTheDeployAtStageVersion() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            CannedResponse(status: .ok, headers: [("Content-Type", "application/json")], body: #"{"release":"rel-2024.01.01.00.00.00"}"#)
        }
        defer { Task { try? await server.stop() } }
        let harness = try await Harness { $0.apps["api"]?.environments["staging"]?.versionEndpoint = "\(server.baseURL)/version.json" }
        var engine = harness.engine(versions: HTTPVersionFetcher())
        engine.versionAttempts = 3
        let result = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)

        #expect(result.outcome == .failed)
        #expect(result.failureStage == "version")
        #expect(result.reason?.contains("reports rel-2024.01.01.00.00.00 after 3 attempts, expected 3f9c2e1") == true)
        let check = try #require(try harness.store.events(EventFilter(stream: result.id, type: "VersionChecked")).first)
        let payload = try VersionChecked.decode(from: check.data)
        #expect(payload.matched == false)
        #expect(payload.attempts == 3)
        #expect(try await harness.service("staging-api").taskDefinition.hasSuffix("staging-api:2"), "ECS did report the new revision stable")
        #expect(try harness.store.deployments().first?.failureStage == "version")
    }

    @Test func aVersionEndpointAnsweringPlainTextWithTheNewTagConfirmsTheDeploy() async throws {
        let served = Mutex(0)
        let server = try await LoopbackHTTPServer.start { _ in
            // The first answer still comes from an old task; the next from the new one.
            let count = served.withLock { $0 += 1; return $0 }
            return CannedResponse(status: .ok, body: count == 1 ? "rel-2024.01.01.00.00.00\n" : "3f9c2e1\n")
        }
        defer { Task { try? await server.stop() } }
        let harness = try await Harness { $0.apps["api"]?.environments["staging"]?.versionEndpoint = "\(server.baseURL)/version" }
        let result = try await harness.engine(versions: HTTPVersionFetcher()).deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)

        #expect(result.outcome == .succeeded)
        let check = try #require(try harness.store.events(EventFilter(stream: result.id, type: "VersionChecked")).first)
        #expect(try VersionChecked.decode(from: check.data) == VersionChecked(url: "\(server.baseURL)/version", expected: "3f9c2e1", reported: "3f9c2e1", matched: true, attempts: 2))
    }
}

struct AccessPolicyTests {
    @Test func deploysNeedADeployerOrMaintainerAndBotsMustSayForWhom() async throws {
        let harness = try await Harness()
        let engine = harness.engine()
        for (metadata, reason) in [
            (EventMetadata(actor: "mallory"), "mallory is neither a deployer nor a maintainer"),
            (EventMetadata(actor: "openverse-bot"), "bot openverse-bot must act on behalf of a person (--on-behalf-of)"),
            (EventMetadata(actor: "cara-contributor", onBehalfOf: "ana-maintainer"), "cara-contributor is not a bot allowed to act on behalf of others"),
            (EventMetadata(), "no actor: pass --actor or set SHIPLOG_ACTOR or GITHUB_ACTOR"),
        ] {
            let error = await #expect(throws: DeployError.self) {
                try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: metadata)
            }
            #expect(error?.message == "access denied: \(reason)")
        }
        #expect(try harness.store.events().map(\.type) == Array(repeating: "AccessDenied", count: 4))
        #expect(try harness.store.deployments().isEmpty)
    }
}
