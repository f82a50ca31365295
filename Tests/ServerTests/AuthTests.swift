import Access
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Simulation
import Testing

@Suite struct AuthTests {
    @Test func aRequestWithoutATokenIsRefusedWith401AndAJSONBody() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/environments", method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(response.errorMessage?.contains("bearer token") == true)
            let unknown = try await client.execute(uri: "/api/v1/environments", method: .get, headers: .bearer("shiplog_not-a-real-token"))
            #expect(unknown.status == .unauthorized)
        }
    }

    @Test func aViewerReadsButCannotDeployAndTheRefusalIsRecorded() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let read = try await client.execute(uri: "/api/v1/environments", method: .get, headers: .bearer(harness.viewer))
            #expect(read.status == .ok)
            let before = try harness.store.head()?.position ?? 0
            let deploy = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.viewer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1"}"#))
            #expect(deploy.status == .forbidden)
            #expect(deploy.errorMessage?.contains("needs deployer") == true)
            let recorded = try harness.store.events(EventFilter(after: before))
            #expect(recorded.map(\.type) == ["AccessDenied"])
            #expect(recorded.first?.decodedMetadata().actor == "vera-viewer")
            #expect(try harness.store.audit(AuditFilter(outcome: .denied)).first?.actor == "vera-viewer")
        }
    }

    @Test func productionDeploysAndRollbacksNeedAMaintainer() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let production = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "production", "tag": "3f9c2e1"}"#))
            #expect(production.status == .forbidden)
            let rollback = try await client.execute(
                uri: "/api/v1/rollbacks", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1"}"#))
            #expect(rollback.status == .forbidden)
            #expect(try harness.store.events(EventFilter(type: "AccessDenied")).count == 2)
        }
    }

    @Test func aRevokedTokenStopsWorkingOnTheNextRequest() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            #expect(try await client.execute(uri: "/api/v1/audit", method: .get, headers: .bearer(harness.viewer)).status == .ok)
            try await harness.backend.tokens.revoke("vera-viewer", metadata: EventMetadata(actor: "test-admin"))
            #expect(try await client.execute(uri: "/api/v1/audit", method: .get, headers: .bearer(harness.viewer)).status == .unauthorized)
        }
    }

    @Test func tokensKeepOnlyTheirHash() async throws {
        let harness = try await ServiceHarness()
        let stored = try harness.store.events(EventFilter(stream: "tokens")).map(\.data).joined()
        #expect(!stored.contains(harness.viewer))
        #expect(!stored.contains(String(harness.viewer.dropFirst("shiplog_".count))))
        #expect(try harness.backend.tokens.identity(secret: harness.viewer)?.role == .viewer)
    }

    @Test func theConfigurationCanLowerTheRoleARollbackNeeds() async throws {
        let text = ExampleConfigurationText.withAPIRoles("  roles:\n    rollback: deployer\n")
        let harness = try await ServiceHarness(configurationText: text)
        try await harness.application().test(.router) { client in
            let rollback = try await client.execute(
                uri: "/api/v1/rollbacks", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "rel-2024.01.01.00.00.00"}"#))
            #expect(rollback.status == .accepted)
            _ = try await harness.outcome(of: try #require(rollback.json["id"] as? String))
            let production = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "production", "tag": "3f9c2e1"}"#))
            #expect(production.status == .forbidden, "what the file leaves alone keeps its default")
        }
    }
}
