import Deploy
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Simulation
import Testing

/// Verification results over the API and GitHub's webhook, and the gates `POST /api/v1/promotions`
/// and the dashboard read from them.
@Suite struct VerificationAPITests {
    /// The example configuration with the frontend's production gated on `e2e`, and GitHub's
    /// documented example workflow (`.github/workflows/test.yml`) recording `e2e` for the frontend in staging.
    static let configuration = ExampleConfiguration.text.replacingOccurrences(of: "# gates: [e2e]", with: "gates: [e2e]") + """

        verification:
          github_workflows:
            - {workflow: .github/workflows/test.yml, repository: octo-org/octo-repo, name: e2e, app: frontend, environment: staging}

        """

    /// What the simulated staging runs before anything is deployed: the first of the simulated tags.
    static let stagingTag = "rel-2024.01.01.00.00.00"

    static func body(_ outcome: String = "passed", tag: String = stagingTag, app: String = "frontend", environment: String = "staging") -> ByteBuffer {
        ByteBuffer(string: #"{"app": "\#(app)", "environment": "\#(environment)", "tag": "\#(tag)", "name": "e2e", "outcome": "\#(outcome)", "url": "https://github.com/WordPress/openverse/actions/runs/7"}"#)
    }

    @Test func aDeployerRecordsAResultAndAViewerListsIt() async throws {
        let harness = try await ServiceHarness(configurationText: Self.configuration)
        try await harness.application().test(.router) { client in
            let recorded = try await client.execute(uri: "/api/v1/verifications", method: .post, headers: .bearer(harness.deployer), body: Self.body())
            #expect(recorded.status == .created, "\(recorded.errorMessage ?? "")")
            #expect(recorded.json["outcome"] as? String == "passed")
            #expect(recorded.json["recorded_by"] as? String == "dave-deployer")
            let event = try #require(try harness.store.events(EventFilter(type: "VerificationRecorded")).first)
            #expect(event.stream == "verification-frontend-staging")
            #expect(try VerificationRecorded.decode(from: event.data) == VerificationRecorded(
                app: "frontend", environment: "staging", tag: Self.stagingTag, name: "e2e", outcome: .passed,
                url: "https://github.com/WordPress/openverse/actions/runs/7"))

            let listed = try await client.execute(uri: "/api/v1/verifications?app=frontend&tag=\(Self.stagingTag)", method: .get, headers: .bearer(harness.viewer))
            #expect(listed.status == .ok)
            let items = try #require(listed.json["verifications"] as? [[String: Any]])
            #expect(items.map { $0["name"] as? String } == ["e2e"])
            #expect(items.first?["position"] as? Int == Int(event.position))
            let other = try await client.execute(uri: "/api/v1/verifications?app=frontend&tag=a1b2c3d", method: .get, headers: .bearer(harness.viewer))
            #expect((other.json["verifications"] as? [Any])?.isEmpty == true)
        }
        #expect(try harness.store.audit(AuditFilter(action: "verification")).map(\.target) == ["e2e \(Self.stagingTag)"])
    }

    @Test func badInputIsA4xxAndWritesNothing() async throws {
        let harness = try await ServiceHarness(configurationText: Self.configuration)
        let before = try harness.store.events().count
        try await harness.application().test(.router) { client in
            let cases: [(ByteBuffer, HTTPResponse.Status, String)] = [
                (Self.body("flaky"), .badRequest, "outcome must be passed or failed, not 'flaky'"),
                (Self.body(app: "catalog"), .notFound, "unknown app 'catalog' (known: api, frontend, ingestion_server)"),
                (Self.body(environment: "qa"), .notFound, "app frontend has no environment 'qa' (known: production, staging)"),
                (Self.body(tag: "not a tag"), .badRequest, "the verification's tag must be"),
                (ByteBuffer(string: #"{"app": "frontend", "environment": "staging", "tag": "t", "name": "e2e", "outcome": "passed", "colour": "red"}"#), .badRequest, "unknown field 'colour'"),
            ]
            for (body, status, message) in cases {
                let response = try await client.execute(uri: "/api/v1/verifications", method: .post, headers: .bearer(harness.deployer), body: body)
                #expect(response.status == status, "\(message)")
                #expect(response.errorMessage?.hasPrefix(message) == true, "\(response.errorMessage ?? "")")
            }
            let viewer = try await client.execute(uri: "/api/v1/verifications", method: .post, headers: .bearer(harness.viewer), body: Self.body())
            #expect(viewer.status == .forbidden)
            let unlisted = try await client.execute(uri: "/api/v1/verifications", method: .get, headers: .bearer(harness.viewer))
            #expect(unlisted.status == .badRequest)
        }
        #expect(try harness.store.events(EventFilter(type: "VerificationRecorded")).isEmpty)
        #expect(try harness.store.events().count == before + 1, "only the viewer's refusal")
        #expect(try harness.store.audit(AuditFilter(outcome: .denied)).map(\.action) == ["record"])
    }

    @Test func aPromotionWaitsForItsGatesIsRefusedWith409AndRecordedThenRunsOnceThemPassed() async throws {
        let harness = try await ServiceHarness(configurationText: Self.configuration)
        try await harness.application().test(.router) { client in
            let refused = try await client.execute(
                uri: "/api/v1/promotions", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: #"{"app": "frontend"}"#))
            #expect(refused.status == .conflict)
            #expect(refused.errorMessage?.hasPrefix("promotion of frontend refused: gates not passed for \(Self.stagingTag) in staging: e2e missing") == true,
                    "\(refused.errorMessage ?? "")")
            #expect(try harness.store.audit(AuditFilter(outcome: .denied)).map(\.detail) == ["gates not passed for \(Self.stagingTag) in staging: e2e missing"])

            _ = try await client.execute(uri: "/api/v1/verifications", method: .post, headers: .bearer(harness.deployer), body: Self.body("failed"))
            let failed = try await client.execute(
                uri: "/api/v1/promotions", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: #"{"app": "frontend"}"#))
            #expect(failed.status == .conflict)
            #expect(failed.errorMessage?.contains("e2e failed") == true)

            _ = try await client.execute(uri: "/api/v1/verifications", method: .post, headers: .bearer(harness.deployer), body: Self.body("passed"))
            let accepted = try await client.execute(
                uri: "/api/v1/promotions", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: #"{"app": "frontend"}"#))
            #expect(accepted.status == .accepted, "\(accepted.errorMessage ?? "")")
            let id = try #require(accepted.json["id"] as? String)
            let record = try await harness.outcome(of: id)
            #expect(record.outcome == .succeeded)
            #expect(record.environment == "production")
            #expect(record.tag == Self.stagingTag)
        }
        // The api has no gates: it promotes as before.
        try await harness.application().test(.router) { client in
            let api = try await client.execute(
                uri: "/api/v1/promotions", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: #"{"app": "api"}"#))
            #expect(api.status == .accepted, "\(api.errorMessage ?? "")")
            _ = try await harness.outcome(of: try #require(api.json["id"] as? String))
        }
    }

    @Test func theDashboardShowsProductionsGatesForTheTagStagingRuns() async throws {
        let harness = try await ServiceHarness(configurationText: Self.configuration)
        try await harness.application().test(.router) { client in
            let waiting = try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer))
            #expect(waiting.status == .ok)
            #expect(waiting.text.contains(#"<div class="gates small" id="gates-frontend">waits for gates for <code>\#(Self.stagingTag)</code> in staging: <span class="gate g-missing" title="missing">e2e missing</span>"#),
                    "\(waiting.text)")
            #expect(!waiting.text.contains(#"id="gates-api""#), "the api has no gates")

            _ = try await client.execute(uri: "/api/v1/verifications", method: .post, headers: .bearer(harness.deployer), body: Self.body("passed"))
            let passed = try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer))
            #expect(passed.text.contains(#"gates passed for <code>\#(Self.stagingTag)</code> in staging: <span class="gate g-passed" title="passed"><a href="https://github.com/WordPress/openverse/actions/runs/7">e2e</a> passed</span>"#),
                    "\(passed.text)")
        }
    }

    @Test func aConfiguredWorkflowsCompletedRunIsRecordedAsAVerificationOnce() async throws {
        let harness = try await ServiceHarness(webhookSecret: GitHubPayload.secret, configurationText: Self.configuration)
        try await harness.application().test(.router) { client in
            let delivery = UUID().uuidString
            let response = try await client.deliverForm("workflow_run", GitHubPayload.documentedWorkflowRun, delivery: delivery)
            #expect(response.status == .created)
            #expect((response.json["events"] as? [[String: Any]])?.compactMap { $0["type"] as? String } == ["WorkflowRunReported", "VerificationRecorded"])
            #expect(try await client.deliverForm("workflow_run", GitHubPayload.documentedWorkflowRun, delivery: delivery).status == .ok)
        }
        let events = try harness.store.events(EventFilter(type: "VerificationRecorded"))
        #expect(events.count == 1, "a redelivery records nothing new")
        let event = try #require(events.first)
        #expect(event.stream == "verification-frontend-staging")
        #expect(try VerificationRecorded.decode(from: event.data) == VerificationRecorded(
            app: "frontend", environment: "staging", tag: "3484a3fb816e0859fd6e1cea078d76385ff50625", name: "e2e", outcome: .passed,
            url: "https://github.com/octo-org/octo-repo/actions/runs/289782451", runId: "289782451", commit: "3484a3fb816e0859fd6e1cea078d76385ff50625"))
        #expect(event.decodedMetadata().actor == "Codertocat")
        #expect(event.decodedMetadata().authMethod == "github-webhook")
    }

    @Test func aFailedRunFailsACancelledOneAndUnknownWorkflowsRecordNoVerification() async throws {
        let harness = try await ServiceHarness(webhookSecret: GitHubPayload.secret, configurationText: Self.configuration.replacingOccurrences(
            of: "environment: staging}", with: "environment: staging, tag: short_sha}"))
        try await harness.application().test(.router) { client in
            let failed = GitHubPayload.documentedWorkflowRun.replacingOccurrences(of: #""conclusion": "success""#, with: #""conclusion": "failure""#)
            let cancelled = GitHubPayload.documentedWorkflowRun.replacingOccurrences(of: #""conclusion": "success""#, with: #""conclusion": "cancelled""#)
            let running = GitHubPayload.documentedWorkflowRun
                .replacingOccurrences(of: #""conclusion": "success""#, with: #""conclusion": null"#)
                .replacingOccurrences(of: #""status": "completed""#, with: #""status": "in_progress""#)
            let otherRepository = GitHubPayload.documentedWorkflowRun.replacingOccurrences(of: #""full_name": "octo-org/octo-repo""#, with: #""full_name": "octo-org/fork""#)
            for body in [failed, cancelled, running, otherRepository] {
                let response = try await client.deliverForm("workflow_run", body)
                #expect(response.status == .created)
            }
            let unconfigured = try await client.deliver("workflow_run", GitHubPayload.workflowRun)
            #expect(unconfigured.status == .created)
        }
        #expect(try harness.store.events(EventFilter(type: "WorkflowRunReported")).count == 5)
        let results = try harness.store.events(EventFilter(type: "VerificationRecorded")).map { try VerificationRecorded.decode(from: $0.data) }
        #expect(results.map(\.outcome) == [.failed])
        #expect(results.map(\.tag) == ["3484a3f"])
    }

    @Test func aDeliveryWhoseSignatureDoesNotMatchRecordsNoVerification() async throws {
        let harness = try await ServiceHarness(webhookSecret: GitHubPayload.secret, configurationText: Self.configuration)
        let before = try harness.store.events().count
        try await harness.application().test(.router) { client in
            let forged = try await client.deliver("workflow_run", GitHubPayload.documentedWorkflowRun, secret: "not-the-secret")
            #expect(forged.status == .unauthorized)
        }
        #expect(try harness.store.events().count == before)
    }
}
