import Access
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import TestSupport
import Testing

/// The dashboard's "Deploy to production" button and rollback forms: who sees them, the
/// confirmation step, the same checks as the API, and the form token every POST needs.
@Suite struct DashboardActionsTests {
    @Test func onlyMaintainersSeeTheDeployToProductionButtonAndTheRollbackForms() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            _ = try await harness.outcome(of: try await deploy(client, harness, app: "api", environment: "staging", tag: "3f9c2e1"))

            let page = try await client.execute(uri: "/", method: .get, headers: .session(harness.maintainer)).text
            let staging = try #require(page.element(id: "cell-staging-api"))
            #expect(staging.contains(#"<form class="action" method="get" action="/apps/api/promote"><button type="submit" class="primary" id="promote-api">Deploy to production</button></form>"#))
            #expect(staging.contains(#"action="/apps/api/environments/staging/rollback""#))
            #expect(!(try #require(page.element(id: "cell-production-api"))).contains("promote"), "the button is on staging's cell only")
            #expect(!(try #require(page.element(id: "cell-staging-frontend"))).contains("promote"), "frontend runs nothing in staging")

            for token in [harness.viewer, harness.deployer] {
                let page = try await client.execute(uri: "/", method: .get, headers: .session(token)).text
                #expect(try #require(page.element(id: "cell-staging-api")).contains("<code>3f9c2e1</code>"))
                #expect(!page.contains("/promote"), "no button for \(token)")
                #expect(!page.contains("/rollback"), "no rollback form for \(token)")
            }
        }
    }

    @Test func theButtonIsGoneWhileProductionRunsStagingsTagOrADeploymentIsInFlight() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            _ = try await harness.outcome(of: try await deploy(client, harness, app: "api", environment: "staging", tag: "3f9c2e1"))
            _ = try await harness.outcome(of: try await deploy(client, harness, app: "frontend", environment: "staging", tag: "3f9c2e1"))
            _ = try await harness.outcome(of: try await deploy(client, harness, app: "api", environment: "production", tag: "3f9c2e1"))
            _ = try await harness.store.append(
                [NewEvent(stream: "deployment-ci-1", DeploymentRequested(app: "frontend", environment: "production", tag: "a1b2c3d", trigger: .release),
                          metadata: EventMetadata(actor: "ana-maintainer"))],
                expectedVersion: .noStream)

            let page = try await client.execute(uri: "/", method: .get, headers: .session(harness.maintainer)).text
            #expect(!(try #require(page.element(id: "cell-staging-api"))).contains("promote-api"), "production runs 3f9c2e1 already")
            #expect(!(try #require(page.element(id: "cell-staging-frontend"))).contains("promote-frontend"), "a deployment to production is in flight")
            #expect(try #require(page.element(id: "cell-staging-api")).contains("/rollback"))
        }
    }

    @Test func aMaintainerConfirmsAPromotionAndIsSentToTheDeploymentsPage() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            _ = try await harness.outcome(of: try await deploy(client, harness, app: "api", environment: "staging", tag: "3f9c2e1"))
            let token = try await formToken(client, harness.maintainer)

            let confirmation = try await client.execute(uri: "/apps/api/promote", method: .get, headers: .session(harness.maintainer))
            #expect(confirmation.status == .ok)
            #expect(confirmation.text.contains("<h1>Deploy api 3f9c2e1 to production?</h1>"))
            #expect(confirmation.text.contains(#"<dt>Production runs now</dt><dd><code>nothing</code></dd>"#))
            #expect(confirmation.text.contains(#"<form class="confirm" method="post" action="/apps/api/promote">"#))
            #expect(confirmation.text.contains(#"<input type="hidden" name="form_token" value="\#(token)">"#))
            #expect(try harness.store.deployments(DeploymentFilter(environment: "production")).isEmpty, "showing the confirmation starts nothing")

            let started = try await post(client, "/apps/api/promote", session: harness.maintainer, "form_token=\(token)")
            #expect(started.status == .seeOther, "\(started.text)")
            let location = try #require(started.headers[.location])
            #expect(location.hasPrefix("/deployments/deployment-"))
            let record = try await harness.outcome(of: String(location.dropFirst("/deployments/".count)))
            #expect(record.outcome == .succeeded)
            #expect(record.trigger == "promotion")
            #expect(record.actor == "ana-maintainer")
            #expect(record.environment == "production")
            #expect(record.tag == "3f9c2e1")
            let page = try await client.execute(uri: location, method: .get, headers: .session(harness.maintainer))
            #expect(page.text.contains("api to production"))
        }
    }

    @Test func viewersAndDeployersAreRefusedAsTheAPIRefusesThemAndTheRefusalIsRecorded() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            _ = try await harness.outcome(of: try await deploy(client, harness, app: "api", environment: "staging", tag: "3f9c2e1"))
            for (token, name) in [(harness.viewer, "vera-viewer"), (harness.deployer, "dave-deployer")] {
                let form = try await formToken(client, token)
                let promotion = try await post(client, "/apps/api/promote", session: token, "form_token=\(form)")
                #expect(promotion.status == .forbidden)
                #expect(promotion.text.contains("promote needs maintainer"), "\(promotion.text)")
                let rollback = try await post(client, "/apps/api/environments/staging/rollback", session: token, "tag=rel-2024.01.01.00.00.00&form_token=\(form)")
                #expect(rollback.status == .forbidden)
                #expect(rollback.text.contains("rollback needs maintainer"))
                #expect(try await client.execute(uri: "/apps/api/promote", method: .get, headers: .session(token)).status == .forbidden)
                let refused = try harness.store.audit(AuditFilter(outcome: .denied)).filter { $0.actor == name }
                #expect(refused.count == 3, "each refusal recorded: \(refused)")
            }
            #expect(try harness.store.deployments(DeploymentFilter(environment: "production")).isEmpty)
            #expect(try harness.store.deployments(DeploymentFilter(app: "api")).count == 1)
        }
    }

    @Test func aPostWithoutThisSessionsFormTokenIsRefusedAndWritesNothing() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            _ = try await harness.outcome(of: try await deploy(client, harness, app: "api", environment: "staging", tag: "3f9c2e1"))
            let own = try await formToken(client, harness.maintainer)
            let someoneElses = try await formToken(client, harness.viewer)
            let before = try harness.store.events(EventFilter()).count
            let tampered = String(own.dropLast()) + (own.hasSuffix("0") ? "1" : "0")
            for body in ["tag=3f9c2e1", "tag=3f9c2e1&form_token=", "tag=3f9c2e1&form_token=\(someoneElses)", "tag=3f9c2e1&form_token=\(tampered)"] {
                for path in ["/apps/api/promote", "/apps/api/environments/staging/rollback", "/logout"] {
                    let response = try await post(client, path, session: harness.maintainer, body)
                    #expect(response.status == .forbidden, "\(path) with '\(body)'")
                    #expect(response.text.contains("nothing was done"))
                    #expect(response.headers[values: .setCookie].isEmpty)
                }
            }
            for site in ["cross-site", "same-site"] {
                var headers = HTTPFields.session(harness.maintainer)
                headers[.contentType] = "application/x-www-form-urlencoded"
                headers[.init("Sec-Fetch-Site")!] = site
                let response = try await client.execute(uri: "/apps/api/promote", method: .post, headers: headers, body: ByteBuffer(string: "form_token=\(own)"))
                #expect(response.status == .forbidden, "Sec-Fetch-Site: \(site)")
            }
            #expect(try harness.store.events(EventFilter()).count == before, "nothing written, not even a refusal")

            let logout = try await post(client, "/logout", session: harness.maintainer, "form_token=\(own)")
            #expect(logout.status == .seeOther)
        }
    }

    @Test func aTagTheRegistryLacksGetsTheNearestTagsAndWritesNothing() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            _ = try await harness.outcome(of: try await deploy(client, harness, app: "api", environment: "staging", tag: "3f9c2e1"))
            let token = try await formToken(client, harness.maintainer)
            let before = try harness.store.events(EventFilter()).count

            let missing = try await client.execute(uri: "/apps/api/environments/staging/rollback?tag=3f9c2e2", method: .get, headers: .session(harness.maintainer))
            #expect(missing.status == .notFound)
            #expect(try #require(missing.text.element(id: "notice")).contains("tag 3f9c2e2 not found"))
            let suggestions = try #require(missing.text.element(id: "suggestions"))
            #expect(suggestions.contains(#"<a href="/apps/api/environments/staging/rollback?tag=3f9c2e1"><code>3f9c2e1</code></a>"#))
            #expect(!missing.text.contains(#"method="post" action="/apps"#), "nothing to confirm")
            let posted = try await post(client, "/apps/api/environments/staging/rollback", session: harness.maintainer, "tag=3f9c2e2&form_token=\(token)")
            #expect(posted.status == .notFound)
            #expect(posted.text.contains("nearest existing tags: 3f9c2e1"))
            #expect(try harness.store.events(EventFilter()).count == before)

            let confirmation = try await client.execute(uri: "/apps/api/environments/staging/rollback?tag=rel-2024.01.01.00.00.00", method: .get,
                                                        headers: .session(harness.maintainer))
            #expect(confirmation.status == .ok)
            #expect(confirmation.text.contains("<h1>Roll api in staging back to rel-2024.01.01.00.00.00?</h1>"))
            #expect(confirmation.text.contains(#"<input type="hidden" name="tag" value="rel-2024.01.01.00.00.00">"#))
            let started = try await post(client, "/apps/api/environments/staging/rollback", session: harness.maintainer,
                                         "tag=rel-2024.01.01.00.00.00&form_token=\(token)")
            #expect(started.status == .seeOther)
            let record = try await harness.outcome(of: String(try #require(started.headers[.location]).dropFirst("/deployments/".count)))
            #expect(record.trigger == "rollback")
            #expect(record.outcome == .succeeded)
        }
    }

    /// The form token of `session`'s pages, read from the log-out form every page has.
    private func formToken(_ client: some TestClientProtocol, _ session: String) async throws -> String {
        let page = try await client.execute(uri: "/", method: .get, headers: .session(session)).text
        return String(try #require(page.firstMatch(of: /name="form_token" value="([0-9a-f]{64})"/)).1)
    }

    private func post(_ client: some TestClientProtocol, _ path: String, session: String, _ body: String) async throws -> TestResponse {
        var headers = HTTPFields.session(session)
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    private func deploy(_ client: some TestClientProtocol, _ harness: ServiceHarness, app: String, environment: String, tag: String) async throws -> String {
        let body = #"{"app": "\#(app)", "environment": "\#(environment)", "tag": "\#(tag)"}"#
        let response = try await client.execute(uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: body))
        #expect(response.status == .accepted, "\(response.errorMessage ?? "")")
        return try #require(response.json["id"] as? String)
    }
}
