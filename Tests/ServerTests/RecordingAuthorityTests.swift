import Access
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Deploy
import Ledger
import Server
import Simulation
import Testing

/// `POST /api/v1/events` as an attacker with an ordinary CI token would use it: every forgery is
/// refused, writes nothing but the recorded refusal, and a legitimate recorder still records.
@Suite struct RecordingAuthorityTests {
    static func event(_ stream: String, _ type: String, _ data: String, metadata: String? = nil) -> String {
        #"{"stream": "\#(stream)", "type": "\#(type)", "data": \#(data)\#(metadata.map { #", "metadata": \#($0)"# } ?? "")}"#
    }

    static func requested(_ stream: String, environment: String, trigger: String = "merge", metadata: String? = nil) -> String {
        event(stream, "DeploymentRequested", #"{"app": "api", "environment": "\#(environment)", "tag": "rel-1", "trigger": "\#(trigger)"}"#, metadata: metadata)
    }

    static func stable(_ stream: String) -> String {
        event(stream, "DeploymentStable", #"{"task_definition_arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/production-api:99", "revision": 99}"#)
    }

    static func batch(_ events: String...) -> String {
        #"{"events": [\#(events.joined(separator: ", "))]}"#
    }

    static func post(_ client: some TestClientProtocol, _ token: String, _ body: String, key: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields.bearer(token)
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: "/api/v1/events", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// What the log holds, but for the refusals: a forgery must leave it as it was.
    static func contents(_ store: EventStore) throws -> [String] {
        try store.events().filter { $0.type != "AccessDenied" }.map { "\($0.stream)/\($0.type)" }
    }

    @Test(arguments: [
        ("tokens", "TokenIssued", #"{"token_id": "t1", "name": "dave-deployer", "role": "maintainer", "hash": "00"}"#, "`shiplog token create`"),
        ("tokens", "TokenRevoked", #"{"token_id": "t1"}"#, "`shiplog token revoke`"),
        ("environment-api-production", "DeploymentClaimed", #"{"deployment_id": "deployment-x", "app": "api", "environment": "production", "owner": "1@elsewhere"}"#, "`shiplog deploy|rollback|promote`"),
        ("access", "AccessDenied", #"{"action": "rollback", "reason": "planted"}"#, "shiplog itself"),
        ("drift-api-staging", "DriftDetected", #"{"app": "api", "environment": "staging", "desired": "a", "actual": "b", "differences": []}"#, "`shiplog drift`"),
        ("github-run-x", "WorkflowRunReported", #"{"repository": "o/r", "run_id": 1, "event": "push"}"#, "POST /webhooks/github"),
    ])
    func typesOnlyShiplogWritesAreRefusedNamingWhatWritesThem(stream: String, type: String, data: String, writer: String) async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let before = try Self.contents(harness.store)
            let response = try await Self.post(client, harness.deployer, Self.event(stream, type, data))
            #expect(response.status == .forbidden)
            #expect(response.errorMessage?.contains("\(type) is written only by \(writer)") == true, "\(response.errorMessage ?? "")")
            #expect(try Self.contents(harness.store) == before)
            let refusal = try #require(try harness.store.audit(AuditFilter(actor: "dave-deployer")).first)
            #expect(refusal.outcome == .denied)
        }
    }

    @Test func aCIRecorderStillRecordsItsBuildsAndAWholeDeploymentItRanItself() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let builds = Self.batch(
                Self.event("build-api-77", "ImageBuilt", #"{"app": "api", "image": "ghcr.io/wordpress/openverse-api", "tag": "3f9c2e1", "digest": "sha256:ab"}"#),
                Self.event("build-api-78", "BuildFailed", #"{"app": "api", "image": "ghcr.io/wordpress/openverse-api", "reason": "npm ci failed"}"#))
            #expect(try await Self.post(client, harness.deployer, builds).status == .created)
            let stream = "deployment-ci-run-77"
            let deployment = Self.batch(
                Self.requested(stream, environment: "staging"),
                Self.event(stream, "ImageVerified", #"{"image": "ghcr.io/wordpress/openverse-api", "tag": "rel-1", "digest": "sha256:ab"}"#),
                Self.event(stream, "TaskDefinitionRendered", #"{"template_family": "staging-api-template", "template_revision": 4, "family": "staging-api", "images": {"django": "ghcr.io/wordpress/openverse-api:rel-1"}}"#),
                Self.event(stream, "TaskDefinitionRegistered", #"{"task_definition_arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api:99", "family": "staging-api", "revision": 99}"#),
                Self.event(stream, "ServiceUpdated", #"{"cluster": "staging-default", "service": "staging-api", "task_definition_arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api:99"}"#),
                Self.event(stream, "DeploymentStable", #"{"task_definition_arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api:99", "revision": 99}"#))
            let recorded = try await Self.post(client, harness.deployer, deployment)
            #expect(recorded.status == .created, "\(recorded.errorMessage ?? "")")
            let state = try #require(try harness.store.environmentStates().first { $0.environment == "staging" && $0.app == "api" })
            #expect(state.tag == "rel-1")
            #expect(state.revision == 99)
            #expect(try harness.store.deployments(DeploymentFilter(id: stream)).first?.outcome == .succeeded)
            #expect(try harness.store.audit(AuditFilter(actor: "dave-deployer")).contains { $0.outcome == .failed && $0.detail == "npm ci failed" })
        }
    }

    @Test func aDeployerCannotRecordAProductionDeploymentButAMaintainerAndItsBotCan() async throws {
        let harness = try await ServiceHarness(configurationText: ExampleConfiguration.text.replacingOccurrences(
            of: "openverse-bot: { acts_for: maintainers }", with: "openverse-bot: { acts_for: maintainers }\n  deploy-bot: { acts_for: maintainers }"))
        let bot = try await harness.backend.tokens.issue(name: "openverse-bot", role: .maintainer, metadata: EventMetadata(actor: "test-admin")).secret
        let deployerBot = try await harness.backend.tokens.issue(name: "deploy-bot", role: .deployer, metadata: EventMetadata(actor: "test-admin")).secret
        try await harness.application().test(.router) { client in
            let forged = try await Self.post(client, harness.deployer, Self.batch(Self.requested("deployment-forged", environment: "production"), Self.stable("deployment-forged")))
            #expect(forged.status == .forbidden)
            #expect(forged.errorMessage == "access denied: token dave-deployer has role deployer; production deploy needs maintainer")
            #expect(try harness.store.environmentStates().isEmpty)
            #expect(try harness.store.events(EventFilter(stream: "deployment-forged")).isEmpty)
            let denied = try #require(try harness.store.events(EventFilter(type: "AccessDenied")).last)
            #expect(try AccessDenied.decode(from: denied.data).environment == "production")

            let rollback = try await Self.post(client, harness.deployer, Self.requested("deployment-rb", environment: "staging", trigger: "rollback"))
            #expect(rollback.status == .forbidden, "recording a rollback needs what rolling back needs")

            let maintainer = try await Self.post(client, harness.maintainer, Self.batch(Self.requested("deployment-ok", environment: "production"), Self.stable("deployment-ok")))
            #expect(maintainer.status == .created)
            #expect(try harness.store.environmentStates().first?.environment == "production")

            let onBehalf = #"{"on_behalf_of": "ana-maintainer"}"#
            let viaBot = try await Self.post(client, bot, Self.requested("deployment-bot", environment: "production", metadata: onBehalf))
            #expect(viaBot.status == .created)
            let forContributor = try await Self.post(client, bot, Self.requested("deployment-bot2", environment: "production", metadata: #"{"on_behalf_of": "cara-contributor"}"#))
            #expect(forContributor.status == .forbidden, "the bot's acts_for names maintainers only")
            let beyondItsToken = try await Self.post(client, deployerBot, Self.requested("deployment-bot3", environment: "production", metadata: onBehalf))
            #expect(beyondItsToken.status == .forbidden, "a token never acts with more than its own role")
            #expect(beyondItsToken.errorMessage == "access denied: token deploy-bot has role deployer and ana-maintainer has maintainer; acting for them, production deploy needs maintainer")
        }
    }

    @Test func aRecordedStreamBelongsToWhoeverOpenedItAndShiplogsOwnStreamsToNoRecorder() async throws {
        let harness = try await ServiceHarness()
        let other = try await harness.backend.tokens.issue(name: "cara-contributor", role: .deployer, metadata: EventMetadata(actor: "test-admin")).secret
        try await harness.application().test(.router) { client in
            #expect(try await Self.post(client, harness.deployer, Self.requested("deployment-ci-1", environment: "staging")).status == .created)
            let intruder = try await Self.post(client, other, Self.stable("deployment-ci-1"))
            #expect(intruder.status == .forbidden)
            #expect(intruder.errorMessage?.contains("opened by dave-deployer") == true)
            #expect(try await Self.post(client, harness.deployer, Self.stable("deployment-ci-1")).status == .created)

            let intoTokens = try await Self.post(client, harness.maintainer, Self.event("tokens", "ImageBuilt", #"{"image": "i", "tag": "t"}"#))
            #expect(intoTokens.status == .forbidden)
            #expect(intoTokens.errorMessage?.contains("shiplog's own flows") == true)

            let stepWithoutRequest = try await Self.post(client, harness.deployer, Self.stable("deployment-ci-2"))
            #expect(stepWithoutRequest.status == .badRequest)
            #expect(try harness.store.events(EventFilter(stream: "deployment-ci-2")).isEmpty)

            let recorded = try #require(try harness.store.events(EventFilter(stream: "deployment-ci-1")).first)
            #expect(recorded.decodedMetadata().origin == "recorded")
            #expect(try harness.store.environmentStates().first?.deployedBy == "dave-deployer")
        }
    }

    @Test func idempotencyKeysBelongToTheirTokenAndWebhookDeliveriesToNoToken() async throws {
        let harness = try await ServiceHarness(webhookSecret: GitHubPayload.secret)
        let other = try await harness.backend.tokens.issue(name: "cara-contributor", role: .deployer, metadata: EventMetadata(actor: "test-admin")).secret
        try await harness.application().test(.router) { client in
            let build = Self.event("build-1", "ImageBuilt", #"{"image": "i", "tag": "t"}"#)
            let first = try await Self.post(client, harness.deployer, build, key: "step-1")
            let second = try await Self.post(client, other, Self.event("build-2", "ImageBuilt", #"{"image": "i", "tag": "t"}"#), key: "step-1")
            #expect(first.status == .created)
            #expect(second.status == .created, "another token's key is its own")
            #expect(try harness.store.events(EventFilter(stream: "build-2")).count == 1)

            let guid = "8f3b1c2e-1d2c-4a7b-9e55-0c1f2d3e4f5a"
            let squat = try await Self.post(client, harness.deployer, Self.event("build-3", "ImageBuilt", #"{"image": "i", "tag": "t"}"#), key: "github-delivery-\(guid)")
            #expect(squat.status == .created)
            let genuine = try await client.deliver("workflow_run", GitHubPayload.workflowRun, delivery: guid)
            #expect(genuine.status == .created, "GitHub's delivery is recorded whatever key a token used")
            #expect(try harness.store.events(EventFilter(type: "WorkflowRunReported")).count == 1)
        }
    }

    @Test func recordedEventsAreCheckedAsTheSchemasAndNamesSay() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            for (body, message) in [
                (Self.event("build-1", "ImageBuilt", #"{"image": "i", "tag": "t", "flavour": "x"}"#), "ImageBuilt: unknown field 'flavour'"),
                (#"{"stream": "build-1", "type": "ImageBuilt", "data": {"image": "i", "tag": "t", "tag": "u"}}"#, "the body has the key 'data.tag' twice"),
                (Self.event("build 1", "ImageBuilt", #"{"image": "i", "tag": "t"}"#), "field 'stream' must be 1-128 letters"),
                (Self.event("build-1", "ImageBuilt", #"{"image": "i", "tag": "t"}"#, metadata: #"{"role": "maintainer"}"#), "metadata field 'role' is set by shiplog"),
                (Self.event("build-1", "ImageBuilt", #"{"image": "i", "tag": "t"}"#, metadata: #"{"committed_at": "2026-11-27T10:00:00Zjunk"}"#), "metadata field 'committed_at' must be a date"),
            ] {
                let response = try await Self.post(client, harness.deployer, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.errorMessage?.contains(message) == true, "\(response.errorMessage ?? "") should say \(message)")
            }
            #expect(try harness.store.events(EventFilter(stream: "build-1")).isEmpty)

            let id = "0c5e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
            let once = #"{"id": "\#(id)", "stream": "build-2", "type": "ImageBuilt", "data": {"image": "i", "tag": "t"}}"#
            #expect(try await Self.post(client, harness.deployer, once).status == .created)
            let again = try await Self.post(client, harness.deployer, once.replacingOccurrences(of: "build-2", with: "build-3"))
            #expect(again.status == .badRequest)
            #expect(again.errorMessage?.contains("already in the log") == true)
        }
    }

    @Test func gitHubBotLoginsAreValidActorsEverywhere() async throws {
        let harness = try await ServiceHarness()
        let dependabot = try await harness.backend.tokens.issue(name: "dependabot[bot]", role: .deployer, metadata: EventMetadata(actor: "test-admin")).secret
        try await harness.application().test(.router) { client in
            let recorded = try await Self.post(client, dependabot, Self.event("build-deps", "ImageBuilt", #"{"image": "i", "tag": "t"}"#))
            #expect(recorded.status == .created)
            let audit = try await client.execute(uri: "/api/v1/audit?actor=dependabot%5Bbot%5D", method: .get, headers: .bearer(harness.viewer))
            #expect(audit.status == .ok)
            #expect((audit.json["entries"] as? [[String: Any]])?.first?["actor"] as? String == "dependabot[bot]")
        }
    }

    @Test func theLedgerDocsWriteRulesTableNamesEveryTypeWithItsWriter() throws {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).appending(path: "../../../docs/ledger.md").standardized, encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Who may write what").dropFirst().first)
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for (payload, writer) in EventTypes.all {
            let row = try #require(rows.first { $0.contains("`\(payload.eventType)`") }, "docs/ledger.md has a row for \(payload.eventType)")
            let written = row.split(separator: "|").last.map(String.init) ?? ""
            switch writer {
            case .recorders: #expect(written.contains("recorders"), "\(payload.eventType): \(written)")
            case .shiplog: #expect(!written.contains("recorders"), "\(payload.eventType): \(written)")
            }
        }
    }
}
