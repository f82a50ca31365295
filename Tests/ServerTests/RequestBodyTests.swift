import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Testing

@Suite struct RequestBodyTests {
    @Test func aNullFieldIsRefusedAndNothingIsRecorded() async throws {
        let harness = try await ServiceHarness()
        let before = try harness.store.head()?.position ?? 0
        try await harness.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1", "on_behalf_of": null}"#))
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == "field 'on_behalf_of' is null: leave it out instead")
        }
        #expect(try harness.store.head()?.position ?? 0 == before)
    }

    @Test func aFieldGivenTwiceIsRefusedAndNothingIsRecorded() async throws {
        let harness = try await ServiceHarness()
        let before = try harness.store.head()?.position ?? 0
        try await harness.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1", "tag": "broken-build"}"#))
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == "the body has the key 'tag' twice")
        }
        #expect(try harness.store.head()?.position ?? 0 == before)
    }
}
