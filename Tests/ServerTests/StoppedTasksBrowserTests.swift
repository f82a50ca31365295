import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import TestSupport
import Testing

/// A failed deployment's page in headless chromium: what ECS reported during the rollout and
/// why each task stopped, with a screenshot in `artifacts/`.
@Suite struct StoppedTasksBrowserTests {
    @Test(.enabled(if: HeadlessChromium.path != nil || TestServices.isCI, "chromium is not installed (CI=true requires it)"))
    func aRolledBackDeploymentsPageShowsWhyItsTasksStopped() async throws {
        let chromium = try #require(HeadlessChromium.path, "chromium is not installed: scripts/test installs it")
        let harness = try await ServiceHarness()
        let session = try await harness.application().test(.router) { client in
            let login = try await client.execute(uri: "/login", method: .post, headers: .form, body: ByteBuffer(string: "token=\(harness.viewer)"))
            return try #require(login.headers[values: .setCookie].first?.split(separator: ";").first.map(String.init))
        }
        let frontDoor = BrowserFrontDoor(router: try buildRouter(harness.backend, settings: harness.settings).buildResponder(), cookie: session) { nil }
        let app = Application(responder: frontDoor, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let body = #"{"app": "frontend", "environment": "staging", "tag": "broken-build"}"#
            let response = try await client.execute(uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: body))
            #expect(response.status == .accepted, "\(response.errorMessage ?? "")")
            let id = try #require(response.json["id"] as? String)
            #expect(try await harness.outcome(of: id).outcome == .rolledBack)

            let dom = try await HeadlessChromium.run(chromium, ["--virtual-time-budget=2000", "--dump-dom", base + "/deployments/\(id)"])
            #expect(dom.status == 0, "\(dom.stderr)")
            let stopped = try #require(dom.stdout.element(id: "stopped-tasks"))
            #expect(stopped.contains("<h2>Stopped tasks</h2>"))
            #expect(stopped.components(separatedBy: #"<strong class="why">Essential container in task exited</strong>"#).count == 4, "three stopped tasks: \(stopped)")
            #expect(stopped.contains("EssentialContainerExited"))
            #expect(stopped.contains("<strong>nuxt</strong>: exit code 1"))
            let reported = try #require(dom.stdout.element(id: "ecs-events"))
            #expect(reported.contains("has started 1 tasks: (task "))
            #expect(reported.contains("deployment failed: tasks failed to start."))

            let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../artifacts").standardized
            try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
            let screenshot = artifacts.appending(path: "deployment-stopped-tasks.png").path
            try? FileManager.default.removeItem(atPath: screenshot)
            let shot = try await HeadlessChromium.run(
                chromium, ["--screenshot=\(screenshot)", "--window-size=1280,1400", "--virtual-time-budget=2000", base + "/deployments/\(id)"])
            #expect(shot.status == 0, "\(shot.stderr)")
            let size = try FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int ?? 0
            #expect(size > 10_000, "a screenshot of the rendered page")
        }
    }
}
