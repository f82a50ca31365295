import Access
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Simulation
import TestSupport
import Testing

@Suite struct DashboardTests {
    @Test func aBrowserWithoutAValidTokenIsSentToTheLoginForm() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            for path in ["/", "/deployments/deployment-1"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
            let revoked = try await client.execute(uri: "/", method: .get, headers: .session("shiplog_not-a-real-token"))
            #expect(revoked.status == .seeOther)

            let form = try await client.execute(uri: "/login", method: .get)
            #expect(form.status == .ok)
            #expect(form.headers[.contentType] == "text/html; charset=utf-8")
            #expect(form.text.contains(#"<form class="login" method="post" action="/login">"#))
            #expect(form.text.contains(#"name="token""#))
        }
    }

    @Test func loggingInKeepsTheTokenInAStrictHttpOnlyCookieAndLoggingOutClearsIt() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let login = try await client.execute(uri: "/login", method: .post, headers: .form, body: ByteBuffer(string: "token=\(harness.viewer)"))
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/")
            let cookie = try #require(login.headers[values: .setCookie].first)
            #expect(cookie.hasPrefix("shiplog_token=\(harness.viewer);"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/"))

            let dashboard = try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer))
            #expect(dashboard.status == .ok)
            #expect(dashboard.text.contains("vera-viewer (viewer)"))
            #expect(try await client.execute(uri: "/login", method: .get, headers: .session(harness.viewer)).headers[.location] == "/")

            // Logging out is a form like any other: it carries the session's form token.
            let formToken = String(try #require(dashboard.text.firstMatch(of: /name="form_token" value="([0-9a-f]{64})"/)).1)
            var headers = HTTPFields.session(harness.viewer)
            headers[.contentType] = "application/x-www-form-urlencoded"
            let logout = try await client.execute(uri: "/logout", method: .post, headers: headers, body: ByteBuffer(string: "form_token=\(formToken)"))
            #expect(logout.status == .seeOther)
            #expect(logout.headers[.location] == "/login")
            let cleared = try #require(logout.headers[values: .setCookie].first)
            #expect(cleared.hasPrefix("shiplog_token=;"))
            #expect(cleared.contains("Max-Age=0"))
        }
    }

    @Test func aBadTokenShowsTheFormAgainWith401() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            for body in ["token=shiplog_not-a-real-token", "token=", "nothing=here"] {
                let response = try await client.execute(uri: "/login", method: .post, headers: .form, body: ByteBuffer(string: body))
                #expect(response.status == .unauthorized, "\(body)")
                #expect(response.headers[values: .setCookie].isEmpty)
                #expect(response.text.contains("That token is not valid"))
                #expect(response.text.contains(#"action="/login""#))
            }
        }
    }

    @Test func aTokenWhoseRoleMayNotReadIsRefusedWith403AndTheRefusalIsRecorded() async throws {
        let harness = try await ServiceHarness(configurationText: ExampleConfigurationText.withAPIRoles("  roles:\n    read: deployer\n"))
        try await harness.application().test(.router) { client in
            let login = try await client.execute(uri: "/login", method: .post, headers: .form, body: ByteBuffer(string: "token=\(harness.viewer)"))
            #expect(login.status == .forbidden)
            #expect(login.headers[values: .setCookie].isEmpty)
            #expect(login.text.contains("read needs deployer"))

            let page = try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer))
            #expect(page.status == .forbidden)
            #expect(page.text.contains("Not allowed"))
            #expect(try harness.store.audit(AuditFilter(outcome: .denied)).first?.actor == "vera-viewer")
            #expect(try await client.execute(uri: "/", method: .get, headers: .session(harness.deployer)).status == .ok)
        }
    }

    @Test func anotherSitesFormCannotLogABrowserInOrOut() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            var headers = HTTPFields.form
            headers[.init("Sec-Fetch-Site")!] = "cross-site"
            let login = try await client.execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: "token=\(harness.viewer)"))
            #expect(login.status == .forbidden)
            #expect(login.headers[values: .setCookie].isEmpty)
            let logout = try await client.execute(uri: "/logout", method: .post, headers: headers)
            #expect(logout.status == .forbidden)
        }
    }

    @Test func theGridShowsWhatRunsWhereWhoDeployedItAndLinksTheLatestDeployments() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let succeeded = try await deploy(client, harness, app: "api", environment: "staging", tag: "3f9c2e1")
            #expect(try await harness.outcome(of: succeeded).outcome == .succeeded)
            let rolledBack = try await deploy(client, harness, app: "frontend", environment: "staging", tag: "broken-build")
            #expect(try await harness.outcome(of: rolledBack).outcome == .rolledBack)

            let response = try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            let page = response.text
            let api = try #require(page.element(id: "cell-staging-api"))
            #expect(api.contains(#"class="cell s-succeeded""#))
            #expect(api.contains("✓ succeeded"))
            #expect(api.contains("<code>3f9c2e1</code>"))
            #expect(api.contains("by <strong>ana-maintainer</strong>"))
            let frontend = try #require(page.element(id: "cell-staging-frontend"))
            #expect(frontend.contains("↺ rolled back"))
            #expect(frontend.contains(#"tried <code>broken-build</code>, by ana-maintainer: <a href="/deployments/\#(rolledBack)">"#))
            #expect(!api.contains("tried"), "a cell whose last deployment succeeded shows what runs, nothing tried")
            #expect(try #require(page.element(id: "cell-production-api")).contains("nothing deployed"))
            #expect(page.contains(#"<th scope="col">staging</th><th scope="col">production</th>"#))
            #expect(page.contains(#"<th scope="row">ingestion_server</th>"#))

            let latest = try #require(page.element(id: "latest"))
            #expect(latest.contains(#"<a href="/deployments/\#(succeeded)">"#))
            #expect(latest.contains(#"<a href="/deployments/\#(rolledBack)">"#))
            #expect(latest.range(of: rolledBack)!.lowerBound < latest.range(of: succeeded)!.lowerBound, "newest first")
        }
    }

    @Test func withoutAConfigurationTheGridHoldsWhatTheLedgerKnows() async throws {
        let harness = try await ServiceHarness(configured: false)
        try await harness.application().test(.router) { client in
            let empty = try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer)).text
            #expect(empty.contains("Nothing is configured or recorded yet."))
            #expect(empty.contains("No deployments recorded yet."))

            let events = """
                {"events": [
                  {"stream": "deployment-ci-7", "type": "DeploymentRequested", "data": {"app": "api", "environment": "staging", "tag": "3f9c2e1", "trigger": "merge"}},
                  {"stream": "deployment-ci-7", "type": "DeploymentStable", "data": {"task_definition_arn": "arn:aws:ecs:us-east-1:1:task-definition/staging-api:7", "revision": 7}},
                  {"stream": "deployment-ci-8", "type": "DeploymentRequested", "data": {"app": "frontend", "environment": "production", "tag": "rel-1", "trigger": "release"}}
                ]}
                """
            let recorded = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: events))
            #expect(recorded.status == .created, "\(recorded.errorMessage ?? "")")
            let page = try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer)).text
            let api = try #require(page.element(id: "cell-staging-api"))
            #expect(api.contains("<code>3f9c2e1</code>"))
            #expect(api.contains("revision 7"))
            #expect(api.contains("by <strong>ana-maintainer</strong>"))
            #expect(try #require(page.element(id: "cell-production-frontend")).contains(#"<a href="/deployments/deployment-ci-8">deployment in progress</a>"#))
            #expect(try #require(page.element(id: "cell-staging-frontend")).contains("nothing recorded"))
        }
    }

    @Test func aDeploymentPageShowsItsRecordAndTimeline() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let bot = try await harness.backend.tokens.issue(name: "openverse-bot", role: .maintainer, metadata: EventMetadata(actor: "test-admin"))
            let id = try await deploy(client, harness, app: "api", environment: "staging", tag: "3f9c2e1", token: bot.secret, onBehalfOf: "ben-maintainer")
            #expect(try await harness.outcome(of: id).outcome == .succeeded)

            for path in ["/deployments/\(id)", "/deployments/\(id.dropFirst("deployment-".count))"] {
                let response = try await client.execute(uri: path, method: .get, headers: .session(harness.viewer))
                #expect(response.status == .ok, "\(path)")
                let record = try #require(response.text.element(id: "record"))
                #expect(record.contains("✓ succeeded"))
                #expect(record.contains(#"ben-maintainer <span class="muted">via openverse-bot</span>"#))
                let timeline = try #require(response.text.element(id: "timeline"))
                let types = try harness.store.events(EventFilter(stream: id)).map(\.type)
                #expect(types.first == "DeploymentRequested")
                #expect(types.last == "DeploymentStable")
                var rest = Substring(timeline)
                for type in types {
                    let found = try #require(rest.range(of: "<strong>\(type)</strong>"), "\(type) in order")
                    rest = rest[found.upperBound...]
                }
                #expect(timeline.contains(#"<span class="muted">tag:</span> 3f9c2e1"#))
            }
        }
    }

    @Test func anUnknownDeploymentIsA404Page() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            for id in ["deployment-nope", "no%20such"] {
                let response = try await client.execute(uri: "/deployments/\(id)", method: .get, headers: .session(harness.viewer))
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.text.contains("No such deployment"))
            }
        }
    }

    @Test func whatTheLogSaysIsEscapedOnThePage() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let attack = #"<script>alert("pwned")</script>"#
            let events = """
                {"events": [
                  {"stream": "deployment-xss", "type": "DeploymentRequested", "data": {"app": "api", "environment": "staging", "tag": "3f9c2e1", "trigger": "manual"}},
                  {"stream": "deployment-xss", "type": "DeploymentFailed", "data": {"stage": "stabilize", "reason": "\(attack.replacingOccurrences(of: "\"", with: "\\\""))"},
                   "metadata": {"source": "javascript:alert(1)"}}
                ]}
                """
            // Drift is shiplog's own to record (the reconciler's); what it quotes from ECS is no safer.
            _ = try await harness.store.append([NewEvent(stream: "drift-api-staging", DriftDetected(
                app: "api", environment: "staging", desired: "a", actual: "b", differences: ["<img src=x onerror=alert(1)>"]))])
            let recorded = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(harness.deployer), body: ByteBuffer(string: events))
            #expect(recorded.status == .created, "\(recorded.errorMessage ?? "")")

            let page = try await client.execute(uri: "/deployments/deployment-xss", method: .get, headers: .session(harness.viewer)).text
            #expect(page.contains("stabilize: &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"))
            #expect(!page.contains(attack))
            #expect(!page.contains(#"href="javascript:"#), "only http(s) sources become links")
            #expect(page.components(separatedBy: "<script>").count == 2, "only the page's own script")

            let dashboard = try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer)).text
            #expect(try #require(dashboard.element(id: "cell-staging-api")).contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(!dashboard.contains("<img"))
        }
    }

    @Test func theContentSecurityPolicyAllowsExactlyThePagesOwnStyleAndScript() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer))
            let policy = try #require(response.headers[.contentSecurityPolicy])
            for tag in ["style", "script"] {
                let inline = try #require(response.text.inner(of: tag))
                let hash = "sha256-" + Data(SHA256.hash(data: Data(inline.utf8))).base64EncodedString()
                #expect(policy.contains("\(tag)-src '\(hash)'"), "\(tag) is allowed by its hash")
            }
            #expect(policy.hasPrefix("default-src 'none';"))
            #expect(policy.contains("connect-src 'self'"))
            #expect(!policy.contains("unsafe-inline"))
        }
    }

    /// The service on a loopback port, rendered by headless chromium: the grid and the list are in
    /// the DOM, the page's script runs under the Content-Security-Policy and swaps in a deployment
    /// recorded after the page was served, as soon as the event stream announces it.
    /// Screenshots of the dashboard and of a deployment page land in `artifacts/`.
    @Test(.enabled(if: HeadlessChromium.path != nil || TestServices.isCI, "chromium is not installed (CI=true requires it)"))
    func theDashboardRendersAndRefreshesItselfInHeadlessChromium() async throws {
        let chromium = try #require(HeadlessChromium.path, "chromium is not installed: scripts/test installs it")
        let harness = try await ServiceHarness()
        let session = try await harness.application().test(.router) { client in
            let login = try await client.execute(uri: "/login", method: .post, headers: .form, body: ByteBuffer(string: "token=\(harness.viewer)"))
            return try #require(login.headers[values: .setCookie].first?.split(separator: ";").first.map(String.init))
        }
        // Recorded when the page's script first connects to the stream, so only a refresh can show it.
        let late = "deployment-late-arrival"
        let store = harness.store
        let frontDoor = BrowserFrontDoor(router: try buildRouter(harness.backend, settings: harness.settings).buildResponder(), cookie: session) {
            _ = try? await store.append(
                [NewEvent(stream: late, DeploymentRequested(app: "frontend", environment: "production", tag: "a1b2c3d", trigger: .merge),
                          metadata: EventMetadata(actor: "openverse-bot", onBehalfOf: "ben-maintainer"))],
                expectedVersion: .noStream)
            return try store.events(EventFilter(stream: late)).last
        }
        let app = Application(responder: frontDoor, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let succeeded = try await deploy(client, harness, app: "api", environment: "staging", tag: "3f9c2e1")
            let production = try await deploy(client, harness, app: "api", environment: "production", tag: "rel-2024.02.01.00.00.00")
            let rolledBack = try await deploy(client, harness, app: "frontend", environment: "staging", tag: "broken-build")
            for id in [succeeded, production, rolledBack] { _ = try await harness.outcome(of: id) }
            try await recordFailureAndDrift(harness)

            let dom = try await HeadlessChromium.run(chromium, ["--virtual-time-budget=5000", "--dump-dom", base + "/"])
            #expect(dom.status == 0, "\(dom.stderr)")
            let page = dom.stdout
            let api = try #require(page.element(id: "cell-staging-api"))
            #expect(api.contains("<code>3f9c2e1</code>"))
            #expect(api.contains("by <strong>ana-maintainer</strong>"))
            #expect(try #require(page.element(id: "cell-staging-frontend")).contains("↺ rolled back"))
            #expect(try #require(page.element(id: "cell-production-api")).contains("drift:"))
            let latest = try #require(page.element(id: "latest"))
            #expect(latest.contains(#"<a href="/deployments/\#(succeeded)">"#))
            #expect(latest.contains(#"<a href="/deployments/\#(rolledBack)">"#))
            #expect(try #require(page.element(id: "live-status")).contains("Live"), "the script ran under the Content-Security-Policy")
            #expect(latest.contains(#"<a href="/deployments/\#(late)">"#), "the page refreshed when the stream announced a deployment")
            #expect(try #require(page.element(id: "cell-production-frontend")).contains("in progress"))

            let timeline = try await HeadlessChromium.run(chromium, ["--virtual-time-budget=2000", "--dump-dom", base + "/deployments/\(rolledBack)"])
            #expect(try #require(timeline.stdout.element(id: "timeline")).contains("<strong>RolledBackAutomatically</strong>"))

            let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../artifacts").standardized
            try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
            for (name, path) in [("dashboard.png", "/"), ("deployment.png", "/deployments/\(rolledBack)")] {
                let screenshot = artifacts.appending(path: name).path
                try? FileManager.default.removeItem(atPath: screenshot)
                let shot = try await HeadlessChromium.run(
                    chromium, ["--screenshot=\(screenshot)", "--window-size=1280,900", "--virtual-time-budget=2000", base + path])
                #expect(shot.status == 0, "\(shot.stderr)")
                let size = try FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int ?? 0
                #expect(size > 10_000, "a screenshot of a rendered page: \(name)")
            }
        }
    }

    /// A CI step's failed deployment and the reconciler's drift, so every colour is on the page.
    private func recordFailureAndDrift(_ harness: ServiceHarness) async throws {
        let bot = EventMetadata(actor: "openverse-bot", onBehalfOf: "ana-maintainer")
        _ = try await harness.store.append([
            NewEvent(stream: "deployment-ci-1", DeploymentRequested(app: "ingestion_server", environment: "staging", tag: "a1b2c3d", trigger: .merge), metadata: bot),
            NewEvent(stream: "deployment-ci-1", DeploymentFailed(stage: "render", reason: "template family staging-ingestion-server-template not found"), metadata: bot),
            NewEvent(stream: "deployment-ci-2", DeploymentRequested(app: "ingestion_server", environment: "production", tag: "rel-2024.01.01.00.00.00", trigger: .release), metadata: bot),
            NewEvent(stream: "deployment-ci-2", DeploymentTimedOut(timeoutSeconds: 900), metadata: bot),
            NewEvent(stream: "drift", DriftDetected(app: "api", environment: "production", desired: "production-api:2", actual: "production-api:1",
                                                    differences: ["task definition: production-api:1 runs, production-api:2 expected"]),
                     metadata: EventMetadata(actor: "shiplog")),
        ])
    }

    /// Starts a deployment (as the maintainer unless `token` says otherwise) and returns its id.
    private func deploy(
        _ client: some TestClientProtocol, _ harness: ServiceHarness, app: String, environment: String, tag: String,
        token: String? = nil, onBehalfOf: String? = nil
    ) async throws -> String {
        let person = onBehalfOf.map { #", "on_behalf_of": "\#($0)""# } ?? ""
        let body = #"{"app": "\#(app)", "environment": "\#(environment)", "tag": "\#(tag)"\#(person)}"#
        let response = try await client.execute(uri: "/api/v1/deployments", method: .post, headers: .bearer(token ?? harness.maintainer), body: ByteBuffer(string: body))
        #expect(response.status == .accepted, "\(response.errorMessage ?? "")")
        return try #require(response.json["id"] as? String)
    }
}

extension HTTPFields {
    /// What a logged-in browser sends: the token in the `shiplog_token` cookie.
    static func session(_ token: String) -> HTTPFields {
        [.cookie: "shiplog_token=\(token)"]
    }

    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

extension String {
    /// The element with `id="id"`, from its start tag to the end of its line group: enough to
    /// ask what one grid cell or section holds.
    func element(id: String) -> String? {
        guard let start = range(of: #" id="\#(id)""#) else { return nil }
        let tagStart = self[..<start.lowerBound].lastIndex(of: "<") ?? start.lowerBound
        let name = self[index(after: tagStart)...].prefix { $0.isLetter }
        guard let end = self[start.upperBound...].range(of: "</\(name)>") else { return nil }
        return String(self[tagStart..<end.upperBound])
    }

    /// The text inside the first `<tag>...</tag>`.
    func inner(of tag: String) -> String? {
        guard let open = range(of: "<\(tag)>"), let close = self[open.upperBound...].range(of: "</\(tag)>") else { return nil }
        return String(self[open.upperBound..<close.lowerBound])
    }
}
