import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
@testable import Server
import Testing

@Suite struct EnvironmentsTests {
    /// Every field set, strings that need escaping among them.
    static let fullState = #"""
        {"app": "api", "environment": "production", "task_definition_arn": "arn:aws:ecs:us-east-1:1:task-definition/production-api:4",
         "revision": 4, "tag": "rel-2026.11.27", "images": "django=ghcr.io/wordpress/openverse-api:rel \"quoted\"\nnext line",
         "last_healthy_arn": "arn:aws:ecs:us-east-1:1:task-definition/production-api:3", "last_healthy_revision": 3,
         "deployment_in_progress": "deployment-api-production-5", "deployed_by": "ana-maintainer", "deployed_at": "2026-11-27T10:00:00.000000Z",
         "last_outcome": "rolled_back", "updated_position": 42, "drift": "image django: ghcr.io/x:1 \\ ü\u0001 ≠ ghcr.io/x:2"}
        """#

    @Test(arguments: [#"{"app": "api", "environment": "staging", "updated_position": 7}"#, fullState])
    func anEnvironmentStateIsWrittenAsTheAPIEncoderWritesIt(_ json: String) throws {
        let state = try APICoding.decoder().decode(EnvironmentState.self, from: Data(json.utf8))
        let byHand = try JSONSerialization.jsonObject(with: Data(EnvironmentBody(state).jsonText.utf8)) as? NSDictionary
        let encoded = try JSONSerialization.jsonObject(with: APICoding.encoder.encode(state)) as? NSDictionary
        #expect(byHand != nil)
        #expect(byHand == encoded)
    }

    /// The state is written field by field: a field added to `EnvironmentState` must be added there too.
    @Test func theFullStateSetsEveryFieldAnEnvironmentStateHas() throws {
        let state = try APICoding.decoder().decode(EnvironmentState.self, from: Data(Self.fullState.utf8))
        let unset = Mirror(reflecting: state).children.filter { child in
            let value = Mirror(reflecting: child.value)
            return value.displayStyle == .optional && value.children.isEmpty
        }
        #expect(unset.map { $0.label ?? "?" } == [])
    }

    @Test func pathParametersAreReadPercentDecoded() async throws {
        let harness = try await ServiceHarness()
        _ = try await harness.store.append([
            NewEvent(stream: "deployment-api-staging-1", DeploymentRequested(app: "api", environment: "staging", tag: "3f9c2e1", trigger: .merge)),
            NewEvent(stream: "deployment-api-staging-1", DeploymentStable(taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api:2")),
        ])
        try await harness.application().test(.router) { client in
            let encoded = try await client.execute(uri: "/api/v1/environments/st%61ging/%61pi", method: .get, headers: .bearer(harness.viewer))
            #expect(encoded.status == .ok)
            #expect(encoded.json["app"] as? String == "api")
            // `@` is allowed in names; a client that encodes it is asking for the same name.
            let at = try await client.execute(uri: "/api/v1/environments/staging/bot%40example", method: .get, headers: .bearer(harness.viewer))
            #expect(at.status == .notFound)
            #expect(at.errorMessage?.contains("app 'bot@example'") == true)
            let slash = try await client.execute(uri: "/api/v1/environments/staging/a%2Fb", method: .get, headers: .bearer(harness.viewer))
            #expect(slash.status == .badRequest)
        }
    }
}
