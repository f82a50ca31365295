import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Simulation
import TestSupport
import Testing

/// The seed's pipeline in headless chromium, on the real service and its real event stream, signed
/// in through the login form: staging runs a tag, the button stays locked until the end-to-end
/// gate passes for that tag (recorded as CI records it), then a maintainer clicks it, confirms
/// and watches the promotion finish; a page from another loopback origin that posts the
/// dashboard's form is refused and writes nothing; a viewer never sees the button.
@Suite struct DashboardButtonBrowserTests {
    @Test(.enabled(if: HeadlessChromium.path != nil || TestServices.isCI, "chromium is not installed (CI=true requires it)"))
    func aMaintainerPromotesThroughThePageAForgedPostIsRefusedAndAViewerSeesNoButton() async throws {
        let chromium = try #require(HeadlessChromium.path, "chromium is not installed: scripts/test installs it")
        let gated = ExampleConfiguration.text.replacingOccurrences(
            of: "        template_family: production-api-template\n",
            with: "        template_family: production-api-template\n        gates: [e2e]\n")
        #expect(gated != ExampleConfiguration.text)
        let harness = try await ServiceHarness(configurationText: gated)
        try await harness.application().test(.live) { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let body = #"{"app": "api", "environment": "staging", "tag": "3f9c2e1"}"#
            let staged = try await client.execute(uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: body))
            #expect(try await harness.outcome(of: try #require(staged.json["id"] as? String)).outcome == .succeeded)

            let attacker = Application(router: Self.forgery(posting: base + "/apps/api/promote"), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await attacker.test(.live) { attackerClient in
                let browser = try ChromiumDevTools(chromium)
                defer { browser.close() }
                try await Self.logIn(browser, base, token: harness.maintainer)
                try await browser.waitUntil("!!document.getElementById('gates-api')")
                #expect(try await browser.evaluate("document.getElementById('gates-api').textContent") as? String
                        == "waits for gates for 3f9c2e1 in staging: e2e missing ")
                #expect(try await browser.evaluate("!!document.getElementById('promote-api')") as? Bool == false)

                let e2e = #"{"app": "api", "environment": "staging", "tag": "3f9c2e1", "name": "e2e", "outcome": "passed"}"#
                let recorded = try await client.execute(uri: "/api/v1/verifications", method: .post, headers: .bearer(harness.deployer), body: ByteBuffer(string: e2e))
                #expect(recorded.status == .created)
                try await browser.navigate(base + "/")
                try await browser.waitUntil("!!document.getElementById('promote-api')")
                #expect(try await browser.evaluate("document.getElementById('gates-api').textContent.indexOf('gates passed') === 0") as? Bool == true)

                let before = try harness.store.events(EventFilter()).count
                try await browser.navigate("http://127.0.0.1:\(try #require(attackerClient.port))/")
                try await browser.waitUntil("location.origin === '\(base)' && document.readyState === 'complete' && !!document.querySelector('h1')")
                #expect(try await browser.evaluate("document.querySelector('h1').textContent") as? String == "Not allowed")
                #expect(try harness.store.events(EventFilter()).count == before, "the forged POST wrote nothing")

                try await browser.navigate(base + "/")
                try await browser.waitUntil("!!document.getElementById('promote-api')")
                try await browser.evaluate("document.getElementById('promote-api').click()")
                try await browser.waitUntil("location.pathname === '/apps/api/promote' && !!document.getElementById('confirm')")
                #expect(try await browser.evaluate("document.querySelector('h1').textContent") as? String == "Deploy api 3f9c2e1 to production?")
                try await browser.evaluate("document.getElementById('confirm').click()")
                try await browser.waitUntil("location.pathname.indexOf('/deployments/deployment-') === 0")
                let started = try #require(try await browser.evaluate("location.pathname") as? String)
                let outcome = try await harness.outcome(of: String(started.dropFirst("/deployments/".count)))
                #expect(outcome.outcome == .succeeded, "\(outcome)")
                try await browser.waitUntil("document.querySelector('#record .status').textContent.indexOf('succeeded') >= 0")
                let path = try #require(try await browser.evaluate("location.pathname") as? String)
                let record = try #require(try harness.store.deployments(DeploymentFilter(id: String(path.dropFirst("/deployments/".count)), limit: 1)).first)
                #expect(record.trigger == "promotion")
                #expect(record.environment == "production")
                #expect(record.actor == "ana-maintainer")
                #expect(record.outcome == .succeeded)
                try await browser.waitUntil("document.getElementById('live-status').textContent.indexOf('Live:') === 0")

                let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../artifacts").standardized
                try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
                try await browser.screenshot().write(to: artifacts.appending(path: "dashboard-promoted.png"))
            }

            let viewer = try ChromiumDevTools(chromium)
            defer { viewer.close() }
            try await Self.logIn(viewer, base, token: harness.viewer)
            try await viewer.waitUntil("!!document.getElementById('cell-staging-api')")
            #expect(try await viewer.evaluate("document.getElementById('cell-staging-api').textContent.indexOf('3f9c2e1') >= 0") as? Bool == true)
            #expect(try await viewer.evaluate("document.querySelectorAll('form.action, [id^=promote-]').length") as? Int == 0)
        }
    }

    /// Signs `browser` in through the login form, as a person would.
    private static func logIn(_ browser: ChromiumDevTools, _ base: String, token: String) async throws {
        try await browser.open(base + "/login")
        try await browser.waitUntil("document.readyState === 'complete' && !!document.getElementById('token')")
        try await browser.evaluate("document.getElementById('token').value = '\(token)'; document.querySelector('form.login button').click()")
        try await browser.waitUntil("location.pathname === '/' && !!document.getElementById('grid')")
    }

    /// Another origin's page that posts the promotion form as soon as it loads, with a made-up token.
    private static func forgery(posting action: String) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ in
            let html = """
                <!doctype html><html><body><form id="forged" method="post" action="\(action)">\
                <input type="hidden" name="form_token" value="0000000000000000000000000000000000000000000000000000000000000000"></form>\
                <script>document.getElementById('forged').submit()</script></body></html>
                """
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        }
        return router
    }
}
