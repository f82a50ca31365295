import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@Suite struct EnvironmentsTests {
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
