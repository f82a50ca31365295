import Deploy
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Simulation
import Testing

/// The API's deploy endpoints inside a freeze window, and the freeze in the environments list
/// and on the dashboard.
@Suite struct FreezeAPITests {
    static let configuration = ExampleConfiguration.text + """

        freeze:
          staging:
            - {name: Holidays, reason: most maintainers are away, start: 2026-12-19, end: 2027-01-03}
          production:
            - {name: Holidays, reason: most maintainers are away, start: 2026-12-19, end: 2027-01-03}

        """

    /// A service whose ledger clock stands on Christmas Eve 2026, inside both freezes.
    static func frozen() async throws -> ServiceHarness {
        try await ServiceHarness(configurationText: configuration, ledgerClock: HandClock(Date(timeIntervalSince1970: 1_798_113_600)))
    }

    static let refusal = "production is frozen (Holidays: most maintainers are away) until 2027-01-04T00:00:00Z"

    @Test func aDeployInsideAFreezeIs409RecordedAndDeploysNothing() async throws {
        let harness = try await Self.frozen()
        try await harness.application().test(.router) { client in
            let refused = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.maintainer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "production", "tag": "3f9c2e1"}"#))
            #expect(refused.status == .conflict)
            #expect(refused.errorMessage == Self.refusal + "; nothing was deployed (a maintainer may override: --override-freeze \"reason\", or override_freeze in the API)")
            let promotion = try await client.execute(
                uri: "/api/v1/promotions", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: #"{"app": "api"}"#))
            #expect(promotion.status == .conflict)
        }
        let denied = try harness.store.audit(AuditFilter(outcome: .denied))
        #expect(denied.map(\.action).sorted() == ["production_deploy", "promote"])
        #expect(denied.map(\.detail) == [Self.refusal, Self.refusal])
        #expect(denied.map(\.actor) == ["ana-maintainer", "ana-maintainer"])
        #expect(try harness.store.deployments().isEmpty)
    }

    @Test func aMaintainersOverrideDeploysAndIsRecordedWithTheReason() async throws {
        let harness = try await Self.frozen()
        try await harness.application().test(.router) { client in
            let accepted = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.maintainer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "production", "tag": "3f9c2e1", "override_freeze": "security fix"}"#))
            #expect(accepted.status == .accepted, "\(accepted.errorMessage ?? "")")
            let id = try #require(accepted.json["id"] as? String)
            #expect(try await harness.outcome(of: id).outcome == .succeeded)
            let requested = try DeploymentRequested.decode(
                from: try #require(try harness.store.events(EventFilter(stream: id, type: "DeploymentRequested")).first).data)
            #expect(requested.freezeWindow == "Holidays")
            #expect(requested.freezeOverride == "security fix")
        }
    }

    @Test func aDeployersOverrideIs403RecordedAndDeploysNothing() async throws {
        let harness = try await Self.frozen()
        try await harness.application().test(.router) { client in
            let refused = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1", "override_freeze": "trust me"}"#))
            #expect(refused.status == .forbidden)
            #expect(refused.errorMessage == "access denied: token dave-deployer has role deployer; override freeze needs maintainer")
        }
        #expect(try harness.store.audit(AuditFilter(outcome: .denied)).map(\.action) == ["override_freeze"])
        #expect(try harness.store.deployments().isEmpty)
    }

    @Test func aRecordedDeploymentClaimingAnOverrideNeedsWhoMayGiveOne() async throws {
        let harness = try await Self.frozen()
        let data = #"{"app": "api", "environment": "staging", "tag": "rel-1", "trigger": "merge", "freeze_override": "trust me"}"#
        let body = RecordingAuthorityTests.batch(RecordingAuthorityTests.event("deployment-ci-1", "DeploymentRequested", data))
        try await harness.application().test(.router) { client in
            let refused = try await RecordingAuthorityTests.post(client, harness.deployer, body)
            #expect(refused.status == .forbidden)
            #expect(refused.errorMessage == "access denied: token dave-deployer has role deployer; override freeze needs maintainer")
            #expect(try await RecordingAuthorityTests.post(client, harness.maintainer, body).status == .created)
        }
        #expect(try harness.store.audit(AuditFilter(outcome: .denied)).map(\.action) == ["override_freeze"])
    }

    @Test func anEmptyOverrideReasonIs400AndWritesNothing() async throws {
        let harness = try await Self.frozen()
        let before = try harness.store.events().count
        try await harness.application().test(.router) { client in
            for (uri, body) in [("/api/v1/deployments", #"{"app": "api", "environment": "staging", "tag": "3f9c2e1", "override_freeze": " "}"#),
                                ("/api/v1/promotions", #"{"app": "api", "override_freeze": ""}"#),
                                ("/api/v1/reconcile", #"{"override_freeze": "two\nlines"}"#)] {
                let response = try await client.execute(uri: uri, method: .post, headers: .bearer(harness.deployer), body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(uri)")
            }
        }
        #expect(try harness.store.events().count == before)
    }

    @Test func theEnvironmentsListAndTheDashboardShowTheActiveFreeze() async throws {
        let harness = try await Self.frozen()
        try await harness.application().test(.router) { client in
            let list = try await client.execute(uri: "/api/v1/environments", method: .get, headers: .bearer(harness.viewer))
            #expect(list.status == .ok)
            let freezes = try #require(list.json["freezes"] as? [[String: String]])
            #expect(freezes == [
                ["environment": "staging", "window": "Holidays", "reason": "most maintainers are away", "until": "2027-01-04T00:00:00Z"],
                ["environment": "production", "window": "Holidays", "reason": "most maintainers are away", "until": "2027-01-04T00:00:00Z"],
            ])

            let page = try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer)).text
            let banner = try #require(page.element(id: "freeze-production"))
            #expect(banner.contains("<strong>production is frozen</strong>: Holidays (most maintainers are away), until "
                + #"<time datetime="2027-01-04T00:00:00Z">2027-01-04 00:00:00 UTC</time>"#))
        }
    }

    @Test func withoutAFreezeTheListHasNone() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let list = try await client.execute(uri: "/api/v1/environments", method: .get, headers: .bearer(harness.viewer))
            #expect((list.json["freezes"] as? [Any])?.isEmpty == true)
            #expect(try await client.execute(uri: "/", method: .get, headers: .session(harness.viewer)).text.contains("is frozen") == false)
        }
    }
}
