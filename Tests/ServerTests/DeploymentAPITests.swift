import Access
import Deploy
import ECS
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Testing

@Suite struct DeploymentAPITests {
    @Test func aDeployIsAcceptedWithALocationWhoseTimelineShowsEveryStep() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let accepted = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1", "trigger": "merge"}"#))
            #expect(accepted.status == .accepted)
            let location = try #require(accepted.headers[.location])
            let id = try #require(accepted.json["id"] as? String)
            #expect(location == "/api/v1/deployments/\(id)")
            #expect(try await harness.outcome(of: id).outcome == .succeeded)

            let page = try await client.execute(uri: location, method: .get, headers: .bearer(harness.viewer))
            #expect(page.status == .ok)
            let deployment = try #require(page.json["deployment"] as? [String: Any])
            #expect(deployment["outcome"] as? String == "succeeded")
            #expect(deployment["actor"] as? String == "dave-deployer")
            #expect(deployment["trigger"] as? String == "merge")
            let timeline = try #require(page.json["timeline"] as? [[String: Any]]).compactMap { $0["type"] as? String }
            #expect(timeline.first == "DeploymentRequested")
            #expect(timeline.contains("ServiceUpdated"))
            #expect(timeline.last == "DeploymentStable")
        }
    }

    @Test func theRequestIsRecordedWithTheBotTokenAndThePersonItActedFor() async throws {
        let harness = try await ServiceHarness()
        // The example configuration's `bots: {openverse-bot: {acts_for: maintainers}}`.
        let bot = try await harness.backend.tokens.issue(name: "openverse-bot", role: .deployer, metadata: EventMetadata(actor: "test-admin")).secret
        try await harness.application().test(.router) { client in
            let accepted = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(bot),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "a1b2c3d", "on_behalf_of": "ana-maintainer"}"#))
            #expect(accepted.status == .accepted)
            let id = try #require(accepted.json["id"] as? String)
            _ = try await harness.outcome(of: id)
            let requested = try #require(try harness.store.events(EventFilter(stream: id)).first)
            let metadata = requested.decodedMetadata()
            #expect(metadata.actor == "openverse-bot")
            #expect(metadata.onBehalfOf == "ana-maintainer")
            #expect(metadata.role == "deployer")
            #expect(metadata.authMethod == "token")
            let record = try #require(try harness.store.deployments(DeploymentFilter(id: id)).first)
            #expect(record.actor == "ana-maintainer")
            #expect(record.via == "openverse-bot")
        }
    }

    @Test func onlyAConfiguredBotMayActForSomeoneAndOnlyForWhomItsActsForNames() async throws {
        let harness = try await ServiceHarness()
        let bot = try await harness.backend.tokens.issue(name: "openverse-bot", role: .deployer, metadata: EventMetadata(actor: "test-admin")).secret
        try await harness.application().test(.router) { client in
            let before = try harness.store.head()?.position ?? 0
            let notABot = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "a1b2c3d", "on_behalf_of": "ana-maintainer"}"#))
            #expect(notABot.status == .forbidden)
            #expect(notABot.errorMessage?.contains("dave-deployer is not a bot") == true)
            let notAllowed = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(bot),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "a1b2c3d", "on_behalf_of": "cara-contributor"}"#))
            #expect(notAllowed.status == .forbidden)
            #expect(notAllowed.errorMessage?.contains("may not act on behalf of cara-contributor") == true)
            let forgedEvent = try await client.execute(
                uri: "/api/v1/events", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"stream": "b", "type": "ImageBuilt", "data": {"app": "api", "image": "i", "tag": "t", "digest": "sha256:1"}, "metadata": {"on_behalf_of": "ana-maintainer"}}"#))
            #expect(forgedEvent.status == .forbidden)
            #expect(try harness.store.events(EventFilter(after: before)).map(\.type) == ["AccessDenied", "AccessDenied", "AccessDenied"])
        }
    }

    @Test func aFailingTagEndsRolledBackAndAMaintainerRollsBack() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let broken = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "broken-build"}"#))
            let brokenID = try #require(broken.json["id"] as? String)
            #expect(try await harness.outcome(of: brokenID).outcome == .rolledBack)

            let rollback = try await client.execute(
                uri: "/api/v1/rollbacks", method: .post, headers: .bearer(harness.maintainer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "rel-2024.01.01.00.00.00"}"#))
            #expect(rollback.status == .accepted)
            let rollbackID = try #require(rollback.json["id"] as? String)
            let record = try await harness.outcome(of: rollbackID)
            #expect(record.trigger == "rollback")
            #expect(record.outcome == .succeeded)
        }
    }

    @Test func aPromotionDeploysToProductionWhatStagingRuns() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let staging = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1"}"#))
            _ = try await harness.outcome(of: try #require(staging.json["id"] as? String))
            let promotion = try await client.execute(
                uri: "/api/v1/promotions", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: #"{"app": "api"}"#))
            #expect(promotion.status == .accepted)
            let record = try await harness.outcome(of: try #require(promotion.json["id"] as? String))
            #expect(record.environment == "production")
            #expect(record.tag == "3f9c2e1")
            #expect(record.trigger == "promotion")
        }
    }

    @Test func refusalsBeforeTheFlowStartsAreClientErrorsAndRecordNothing() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let before = try harness.store.head()?.position
            let missingTag = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "0000000"}"#))
            #expect(missingTag.status == .notFound)
            #expect(missingTag.errorMessage?.contains("nearest existing tags") == true)
            let unknownApp = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "billing", "environment": "staging", "tag": "3f9c2e1"}"#))
            #expect(unknownApp.status == .notFound)
            #expect(unknownApp.errorMessage?.contains("unknown app 'billing'") == true)
            #expect(try harness.store.head()?.position == before)
        }
    }

    /// A deployment run by a process on another host holds staging (alive while its claim has not
    /// outlived its time to live); returns the environment's stream.
    static func holdStagingFromAnotherHost(_ harness: ServiceHarness) async throws -> String {
        let stream = EnvironmentClaim.stream(app: "api", environment: "staging")
        let claim = DeploymentClaimed(deploymentId: "deployment-api-staging-elsewhere", app: "api", environment: "staging", owner: "4242@ci-runner-7")
        _ = try await harness.store.append([NewEvent(stream: stream, claim)])
        return stream
    }

    @Test func aDeployToAnEnvironmentAnotherDeploymentHoldsIsAConflictWithNoWait() async throws {
        let harness = try await ServiceHarness()
        _ = try await Self.holdStagingFromAnotherHost(harness)
        try await harness.application().test(.router) { client in
            let before = try harness.store.head()?.position
            let second = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "a1b2c3d", "no_wait": true}"#))
            #expect(second.status == .conflict)
            #expect(second.errorMessage?.contains("deployment-api-staging-elsewhere is in flight") == true)
            #expect(try harness.store.head()?.position == before)
        }
    }

    @Test func aDeployWhileAnotherHoldsTheEnvironmentQueuesAndRunsWhenItIsReleased() async throws {
        let harness = try await ServiceHarness()
        let stream = try await Self.holdStagingFromAnotherHost(harness)
        try await harness.application().test(.router) { client in
            let queued = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "a1b2c3d"}"#))
            #expect(queued.status == .accepted)
            #expect(queued.json["status"] as? String == "queued")
            #expect(queued.headers[.location] == "/api/v1/events?stream=\(stream)")
            let request = try #require(queued.json["id"] as? String)
            let waiting = try #require(try harness.store.events(EventFilter(stream: stream, type: DeploymentQueued.eventType)).last)
            let payload = try DeploymentQueued.decode(from: waiting.data)
            #expect(payload.requestId == request)
            #expect(payload.behind == "deployment-api-staging-elsewhere")
            #expect(waiting.decodedMetadata().actor == "dave-deployer")

            // The holder finishes; the queued request claims the environment and deploys.
            _ = try await harness.store.append([NewEvent(stream: stream, DeploymentClaimReleased(
                deploymentId: "deployment-api-staging-elsewhere", outcome: .ended(.succeeded)))])
            let deadline = ContinuousClock.now + .seconds(30)
            var started: DeploymentClaimed?
            while started == nil, ContinuousClock.now < deadline {
                started = try harness.store.events(EventFilter(stream: stream, type: DeploymentClaimed.eventType))
                    .map { try DeploymentClaimed.decode(from: $0.data) }.first { $0.requestId == request }
                if started == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            let id = try #require(started?.deploymentId)
            #expect(try await harness.outcome(of: id).outcome == .succeeded)
        }
    }

    @Test func aServiceStoppingGivesUpTheRequestsStillWaitingAndSaysSo() async throws {
        let harness = try await ServiceHarness()
        let stream = try await Self.holdStagingFromAnotherHost(harness)
        try await harness.application().test(.router) { client in
            let queued = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "a1b2c3d"}"#))
            #expect(queued.json["status"] as? String == "queued")
            let request = try #require(queued.json["id"] as? String)
            // Stopping waits for deployments in flight, not for a wait of up to 30 minutes.
            await try #require(harness.backend.workflow).finish()
            let gaveUp = try #require(try harness.store.events(EventFilter(stream: stream, type: DeploymentQueueTimedOut.eventType)).last)
            #expect(try DeploymentQueueTimedOut.decode(from: gaveUp.data).requestId == request)
            #expect(try harness.store.events(EventFilter(stream: stream, type: DeploymentClaimed.eventType)).count == 1)
        }
    }

    @Test func aDeployFindingAClaimFromAnotherHostThatStoppedBeatingRecordsItExpiredAndStarts() async throws {
        let clock = HandClock(Date())
        let harness = try await ServiceHarness(ledgerClock: clock)
        _ = try await Self.holdStagingFromAnotherHost(harness)
        // The holder never beat, and the wall clock is now past its time to live.
        clock.advance(by: 121)
        try await harness.application().test(.router) { client in
            let accepted = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "a1b2c3d"}"#))
            #expect(accepted.status == .accepted)
            let id = try #require(accepted.json["id"] as? String)
            #expect(id == "deployment-api-staging-2")
            let expired = try harness.store.events(EventFilter(type: DeploymentClaimExpired.eventType))
            #expect(expired.count == 1)
            let expiry = try DeploymentClaimExpired.decode(from: try #require(expired.first).data)
            #expect(expiry.deploymentId == "deployment-api-staging-elsewhere")
            #expect(expiry.owner == "4242@ci-runner-7")
            #expect(expired.first?.decodedMetadata().actor == "dave-deployer")
            _ = try await harness.outcome(of: id)
        }
    }

    @Test func historyPagesByCursorWithFilters() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            for tag in ["3f9c2e1", "a1b2c3d", "rel-2024.02.01.00.00.00"] {
                let accepted = try await client.execute(
                    uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                    body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "\#(tag)"}"#))
                _ = try await harness.outcome(of: try #require(accepted.json["id"] as? String))
            }
            let first = try await client.execute(uri: "/api/v1/deployments?app=api&environment=staging&limit=2", method: .get, headers: .bearer(harness.viewer))
            let firstTags = (first.json["deployments"] as? [[String: Any]] ?? []).compactMap { $0["tag"] as? String }
            #expect(firstTags == ["rel-2024.02.01.00.00.00", "a1b2c3d"])
            let cursor = try #require(first.json["next_cursor"] as? String)
            let second = try await client.execute(
                uri: "/api/v1/deployments?app=api&environment=staging&limit=2&cursor=\(cursor)", method: .get, headers: .bearer(harness.viewer))
            #expect((second.json["deployments"] as? [[String: Any]] ?? []).compactMap { $0["tag"] as? String } == ["3f9c2e1"])
            #expect(second.json["next_cursor"] is NSNull)
            let none = try await client.execute(uri: "/api/v1/deployments?outcome=failed", method: .get, headers: .bearer(harness.viewer))
            #expect((none.json["deployments"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func environmentsAndTheVersionDocumentSayWhatRunsAndWhoDeployedIt() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let accepted = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "rel-2024.02.01.00.00.00"}"#))
            _ = try await harness.outcome(of: try #require(accepted.json["id"] as? String))
            let environments = try await client.execute(uri: "/api/v1/environments", method: .get, headers: .bearer(harness.viewer))
            let states = try #require(environments.json["environments"] as? [[String: Any]])
            let staging = try #require(states.first { $0["app"] as? String == "api" && $0["environment"] as? String == "staging" })
            #expect(staging["tag"] as? String == "rel-2024.02.01.00.00.00")
            let version = try await client.execute(uri: "/api/v1/environments/staging/api/version", method: .get, headers: .bearer(harness.viewer))
            #expect(version.status == .ok)
            #expect(version.json["release"] as? String == "rel-2024.02.01.00.00.00")
            #expect(version.json["deployed_by"] as? String == "dave-deployer")
            #expect(version.json["revision"] as? Int != nil)
            #expect(version.json["deployed_at"] as? String != nil)
            let missing = try await client.execute(uri: "/api/v1/environments/production/catalog/version", method: .get, headers: .bearer(harness.viewer))
            #expect(missing.status == .notFound)
        }
    }

    @Test func withoutAConfigurationTheServiceRecordsButDoesNotDeploy() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await harness.application().test(.router) { client in
            let deploy = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1"}"#))
            #expect(deploy.status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/api/v1/environments", method: .get, headers: .bearer(harness.viewer)).status == .ok)
        }
    }
}
