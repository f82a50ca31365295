import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import Server
import Testing

@Suite struct GitHubWebhookTests {
    @Test func aSignedWorkflowRunIsRecordedWithItsRunPageActorAndCommit() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let response = try await client.deliver("workflow_run", GitHubPayload.workflowRun)
            #expect(response.status == .created)
            #expect(response.json["deduplicated"] as? Bool == false)

            let event = try #require(try harness.store.events(EventFilter(type: "WorkflowRunReported")).first)
            #expect(event.stream == "github-run-wordpress.openverse-30433642")
            let run = try WorkflowRunReported.decode(from: event.data)
            #expect(run == WorkflowRunReported(
                repository: "WordPress/openverse", runId: 30433642, runAttempt: 1, name: "Deploy staging", status: "completed",
                conclusion: "failure", headBranch: "main", event: "push"))
            let metadata = event.decodedMetadata()
            #expect(metadata.actor == "ana")
            #expect(metadata.onBehalfOf == nil)
            #expect(metadata.source == "https://github.com/WordPress/openverse/actions/runs/30433642")
            #expect(metadata.commit == "acb5820ced9479c074f688cc328bf03f341a511d")
            #expect(metadata.authMethod == "github-webhook")

            let audit = try #require(try harness.store.audit(AuditFilter(action: "github.run")).first)
            #expect(audit.actor == "ana")
            #expect(audit.outcome == .failed)
            #expect(audit.target == "WordPress/openverse: Deploy staging")
        }
    }

    @Test func aReRunBySomeoneElseRecordsTheReRunnerAsActorAndTheOriginalActorBeside() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let rerun = GitHubPayload.workflowRun
                .replacingOccurrences(of: #""run_attempt": 1"#, with: #""run_attempt": 2"#)
                .replacingOccurrences(of: #""triggering_actor": {"login": "ana""#, with: #""triggering_actor": {"login": "ben""#)
                .replacingOccurrences(of: #""sender": {"login": "ana""#, with: #""sender": {"login": "ben""#)
            #expect(try await client.deliver("workflow_run", rerun).status == .created)
            let event = try #require(try harness.store.events(EventFilter(type: "WorkflowRunReported")).first)
            let metadata = event.decodedMetadata()
            #expect(metadata.actor == "ben")
            #expect(metadata.onBehalfOf == nil, "the original actor is not a bot the re-runner acted through")
            let run = try WorkflowRunReported.decode(from: event.data)
            #expect(run.originalActor == "ana")
            #expect(run.runAttempt == 2)

            let audit = try #require(try harness.store.audit(AuditFilter(action: "github.run")).first)
            #expect(audit.actor == "ben")
            #expect(audit.via == nil)
            #expect(audit.detail?.contains("a re-run of ana's run") == true)
        }
    }

    @Test func aRunStartedByItsOwnActorHasNoOriginalActor() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            #expect(try await client.deliver("workflow_run", GitHubPayload.workflowRun).status == .created)
            let event = try #require(try harness.store.events(EventFilter(type: "WorkflowRunReported")).first)
            #expect(try WorkflowRunReported.decode(from: event.data).originalActor == nil)
            #expect(!event.data.contains("original_actor"))
        }
    }

    @Test func gitHubsDocumentedWorkflowRunExampleIsRecordedWithTheWorkflowsName() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            #expect(try await client.deliverForm("workflow_run", GitHubPayload.documentedWorkflowRun).status == .created)
            let event = try #require(try harness.store.events(EventFilter(type: "WorkflowRunReported")).first)
            #expect(event.stream == "github-run-octo-org.octo-repo-289782451")
            #expect(try WorkflowRunReported.decode(from: event.data) == WorkflowRunReported(
                repository: "octo-org/octo-repo", runId: 289782451, name: "test", status: "completed", conclusion: "success",
                headBranch: "master", event: "repository_dispatch"))
            // Without actor or triggering_actor (older deliveries), the sender acted.
            #expect(event.decodedMetadata().actor == "Codertocat")
            #expect(try harness.store.audit(AuditFilter(action: "github.run")).first?.target == "octo-org/octo-repo: test")
        }
    }

    @Test func withoutAnyNameTheWorkflowsFilePathNamesTheRun() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let unnamed = GitHubPayload.documentedWorkflowRun.replacingOccurrences(of: #""name": "test","#, with: "")
            #expect(try await client.deliver("workflow_run", unnamed).status == .created)
            let event = try #require(try harness.store.events(EventFilter(type: "WorkflowRunReported")).first)
            #expect(try WorkflowRunReported.decode(from: event.data).name == ".github/workflows/test.yml")
        }
    }

    @Test func aFormEncodedDeliveryIsRecordedExactlyLikeItsJSONTwin() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            // A `+` in the JSON must come back a `+`, a space (`+` on the wire) a space.
            let json = GitHubPayload.workflowRun.replacingOccurrences(of: #""head_branch": "main""#, with: #""head_branch": "release+1 hotfix%2B""#)
            let form = GitHubPayload.formEncoded(json)
            #expect(form.contains("release%2B1+hotfix%252B"))
            #expect(try await client.deliver("workflow_run", json).status == .created)
            let response = try await client.deliver("workflow_run", form, contentType: "application/x-www-form-urlencoded; charset=utf-8")
            #expect(response.status == .created)

            let events = try harness.store.events(EventFilter(type: "WorkflowRunReported"))
            #expect(events.count == 2)
            #expect(events[0].data == events[1].data)
            #expect(try WorkflowRunReported.decode(from: events[1].data).headBranch == "release+1 hotfix%2B")
            #expect(events[0].decodedMetadata() == events[1].decodedMetadata())
        }
    }

    @Test func aFormDeliveryIsSignedOverTheFormBodyAsSent() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let head = try harness.store.head()?.position
            let form = GitHubPayload.formEncoded(GitHubPayload.workflowRun)
            var headers = GitHubPayload.headers("workflow_run", form, contentType: GitHubPayload.formContentType)
            // A signature over the decoded JSON is not GitHub's.
            headers[GitHubPayload.signatureHeader] = GitHubPayload.signature(Data(GitHubPayload.workflowRun.utf8))
            let signedJSON = try await client.execute(uri: "/webhooks/github", method: .post, headers: headers, body: ByteBuffer(string: form))
            #expect(signedJSON.status == .unauthorized)
            #expect(try harness.store.head()?.position == head)
        }
    }

    @Test func aFormBodyWithoutAJSONPayloadIsRefusedWith400AndNothingIsStored() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let head = try harness.store.head()?.position
            let form = GitHubPayload.formContentType
            let withoutPayload = try await client.deliver("workflow_run", "ref=main&payloads=%7B%7D&xpayload=1", contentType: form)
            #expect(withoutPayload.status == .badRequest)
            #expect(withoutPayload.errorMessage == "the form-encoded delivery has no 'payload' field")
            let empty = try await client.deliver("workflow_run", "", contentType: form)
            #expect(empty.status == .badRequest)
            let notJSON = try await client.deliver("workflow_run", "payload=workflow+run+completed", contentType: form)
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.errorMessage?.hasPrefix("the body is not valid JSON") == true)
            let twice = GitHubPayload.formEncoded(GitHubPayload.workflowRun) + "&" + GitHubPayload.formEncoded(GitHubPayload.deployment)
            let repeated = try await client.deliver("workflow_run", twice, contentType: form)
            #expect(repeated.status == .badRequest)
            #expect(repeated.errorMessage == "the form-encoded delivery has more than one 'payload' field")
            #expect(try harness.store.head()?.position == head)
        }
    }

    @Test func aDeliveryOfNearly25MBIsRecordedKeepingOnlyTheFieldsShiplogReads() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            // GitHub's own large payloads are long commit messages and lists; one long field stands for them.
            // Letters need no escaping, so the padding goes in after encoding (encoding 24 MB byte by byte is slow in a debug build).
            let withMessage = GitHubPayload.workflowRun.replacingOccurrences(
                of: #""timestamp": "2026-11-27T09:58:12Z""#, with: #""timestamp": "2026-11-27T09:58:12Z", "message": "PADDING""#)
            let form = GitHubPayload.formEncoded(withMessage).replacingOccurrences(of: "PADDING", with: String(repeating: "a", count: 24 << 20))
            #expect(form.utf8.count > 24 << 20 && form.utf8.count <= 25 << 20)
            let response = try await client.deliver("workflow_run", form, contentType: GitHubPayload.formContentType)
            #expect(response.status == .created)
            let event = try #require(try harness.store.events(EventFilter(type: "WorkflowRunReported")).first)
            #expect(event.data.utf8.count < 1024)
            #expect(event.metadata.utf8.count < 1024)
        }
    }

    @Test func aDeliveryOverGitHubs25MBIsRefusedWith413AndNothingIsStored() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let head = try harness.store.head()?.position
            let padding = String(repeating: "a", count: 25 << 20)
            let large = GitHubPayload.workflowRun.replacingOccurrences(of: #""node_id""#, with: #""padding": "\#(padding)", "node_id""#)
            let response = try await client.deliver("workflow_run", large)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorMessage?.contains("25 MB") == true)
            #expect(try harness.store.head()?.position == head)
        }
    }

    @Test func aDeploymentAndItsStatusesShareOneStream() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            #expect(try await client.deliver("deployment", GitHubPayload.deployment).status == .created)
            #expect(try await client.deliver("deployment_status", GitHubPayload.deploymentStatus).status == .created)

            let events = try harness.store.events(EventFilter(stream: "github-deployment-wordpress.openverse-145988746"))
            #expect(events.map(\.type) == ["GitHubDeploymentCreated", "GitHubDeploymentStatusReported"])
            #expect(try GitHubDeploymentCreated.decode(from: events[0].data) == GitHubDeploymentCreated(
                repository: "WordPress/openverse", deploymentId: 145988746, environment: "production", ref: "main",
                sha: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", task: "deploy"))
            #expect(events[0].decodedMetadata().source == "https://api.github.com/repos/WordPress/openverse/deployments/145988746")
            // GitHub sends "" for an unset target_url or description: they are left out.
            #expect(try GitHubDeploymentStatusReported.decode(from: events[1].data) == GitHubDeploymentStatusReported(
                repository: "WordPress/openverse", deploymentId: 145988746, state: "success", environment: "production",
                logUrl: "https://github.com/WordPress/openverse/actions/runs/30433650"))
            let status = events[1].decodedMetadata()
            #expect(status.actor == "github-actions[bot]")
            #expect(status.source == "https://github.com/WordPress/openverse/actions/runs/30433650")
            #expect(status.commit == "f95f852bd8fca8fcc58a9a2d6c842781e32a215e")
            #expect(try harness.store.audit(AuditFilter(action: "github.deployment")).map(\.target) == ["WordPress/openverse@main"])
        }
    }

    @Test func aBadSignatureIsRefusedWith401AndNothingIsStored() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let head = try harness.store.head()?.position
            let wrongSecret = try await client.deliver("workflow_run", GitHubPayload.workflowRun, secret: "not the secret")
            #expect(wrongSecret.status == .unauthorized)
            #expect(wrongSecret.errorMessage?.contains("does not match") == true)
            // Signed, then changed on the way.
            var headers = GitHubPayload.headers("workflow_run", GitHubPayload.workflowRun)
            let tampered = GitHubPayload.workflowRun.replacingOccurrences(of: "failure", with: "success")
            let changed = try await client.execute(uri: "/webhooks/github", method: .post, headers: headers, body: ByteBuffer(string: tampered))
            #expect(changed.status == .unauthorized)
            headers[GitHubPayload.signatureHeader] = "sha256=not-hex"
            let malformed = try await client.execute(uri: "/webhooks/github", method: .post, headers: headers, body: ByteBuffer(string: GitHubPayload.workflowRun))
            #expect(malformed.status == .unauthorized)
            #expect(try harness.store.head()?.position == head)
        }
    }

    @Test func aDeliveryWithoutASignatureIsRefusedWith401() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let head = try harness.store.head()?.position
            var headers = GitHubPayload.headers("workflow_run", GitHubPayload.workflowRun)
            headers[GitHubPayload.signatureHeader] = nil
            let response = try await client.execute(uri: "/webhooks/github", method: .post, headers: headers, body: ByteBuffer(string: GitHubPayload.workflowRun))
            #expect(response.status == .unauthorized)
            #expect(response.errorMessage?.contains("missing X-Hub-Signature-256") == true)
            #expect(try harness.store.head()?.position == head)
        }
    }

    @Test func gitHubsDocumentedSignatureExampleIsAccepted() async throws {
        // docs.github.com, "Validating webhook deliveries": this secret and body give this signature.
        let harness = try await ServiceHarness(configured: false, webhookSecret: "It's a Secret to Everybody")
        try await harness.application().test(.router) { client in
            let headers: HTTPFields = [
                GitHubPayload.eventHeader: "meta", GitHubPayload.deliveryHeader: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                GitHubPayload.signatureHeader: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            ]
            let response = try await client.execute(uri: "/webhooks/github", method: .post, headers: headers, body: ByteBuffer(string: "Hello, World!"))
            #expect(response.status == .accepted)
        }
    }

    @Test func aRedeliveryIsRecordedOnceEvenAfterARestart() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        let delivery = UUID().uuidString
        try await harness.application().test(.router) { client in
            #expect(try await client.deliver("workflow_run", GitHubPayload.workflowRun, delivery: delivery).status == .created)
            let again = try await client.deliver("workflow_run", GitHubPayload.workflowRun, delivery: delivery)
            #expect(again.status == .ok)
            #expect(again.json["deduplicated"] as? Bool == true)
        }
        harness.store.close()
        let restarted = try await buildBackend(harness.settings, logger: Logger(label: "test"))
        let app = Application(router: try buildRouter(restarted, settings: harness.settings), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.router) { client in
            let afterRestart = try await client.deliver("workflow_run", GitHubPayload.workflowRun, delivery: delivery)
            #expect(afterRestart.status == .ok)
            #expect(afterRestart.json["deduplicated"] as? Bool == true)
        }
        #expect(try restarted.store.events(EventFilter(type: "WorkflowRunReported")).count == 1)
    }

    @Test func aPingIsAnsweredAndStoresNothing() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let head = try harness.store.head()?.position
            let response = try await client.deliver("ping", GitHubPayload.ping)
            #expect(response.status == .ok)
            #expect(response.json["pong"] as? Bool == true)
            #expect(try harness.store.head()?.position == head)
        }
    }

    @Test func otherEventsAreAcknowledgedAndIgnored() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let head = try harness.store.head()?.position
            let response = try await client.deliver("push", #"{"ref": "refs/heads/main", "after": "acb5820"}"#)
            #expect(response.status == .accepted)
            #expect(response.json["ignored"] as? String == "push")
            #expect(try harness.store.head()?.position == head)
        }
    }

    @Test func aMalformedOrIncompletePayloadIsRefusedWith400AndNothingIsStored() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            let head = try harness.store.head()?.position
            let notJSON = try await client.deliver("workflow_run", "payload=%7B%22action%22%3A%22completed%22%7D")
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.errorMessage?.contains("not valid JSON") == true)
            let withoutCommit = GitHubPayload.workflowRun.replacingOccurrences(of: #""head_sha""#, with: #""head_commit_sha""#)
            let incomplete = try await client.deliver("workflow_run", withoutCommit)
            #expect(incomplete.status == .badRequest)
            #expect(incomplete.errorMessage == "missing field 'workflow_run.head_sha'")
            let wrongType = GitHubPayload.deployment.replacingOccurrences(of: #""id": 145988746"#, with: #""id": "145988746""#)
            #expect(try await client.deliver("deployment", wrongType).errorMessage == "field 'deployment.id' must be an integer")
            #expect(try harness.store.head()?.position == head)
        }
    }

    @Test func aDeliveryWithoutItsDeliveryIdIsRefusedWith400() async throws {
        let harness = try await ServiceHarness(configured: false, webhookSecret: GitHubPayload.secret)
        try await harness.application().test(.router) { client in
            var headers = GitHubPayload.headers("workflow_run", GitHubPayload.workflowRun)
            headers[GitHubPayload.deliveryHeader] = nil
            let response = try await client.execute(uri: "/webhooks/github", method: .post, headers: headers, body: ByteBuffer(string: GitHubPayload.workflowRun))
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == "missing X-GitHub-Delivery header")
            #expect(try harness.store.events(EventFilter(type: "WorkflowRunReported")).isEmpty)
        }
    }

    @Test func withoutASecretWebhooksAreUnavailable() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await harness.application().test(.router) { client in
            let head = try harness.store.head()?.position
            let response = try await client.deliver("workflow_run", GitHubPayload.workflowRun)
            #expect(response.status == .serviceUnavailable)
            #expect(response.errorMessage?.hasPrefix("webhooks are not configured") == true)
            #expect(try harness.store.head()?.position == head)
        }
    }
}
