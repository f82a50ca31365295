import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Testing

@Suite struct EventsAPITests {
    static let imageBuilt = #"{"stream": "build-api-42", "type": "ImageBuilt", "data": {"app": "api", "image": "ghcr.io/wordpress/openverse-api", "tag": "3f9c2e1", "digest": "sha256:ab"}, "metadata": {"source": "https://github.com/WordPress/openverse/actions/runs/42", "commit": "3f9c2e1"}}"#

    @Test func aCIStepRecordsAnEventWithTheTokenAsActorAndTheRunAsSource() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/events", method: .post, headers: .bearer(harness.deployer), body: ByteBuffer(string: Self.imageBuilt))
            #expect(response.status == .created)
            let recorded = try #require(try harness.store.events(EventFilter(stream: "build-api-42")).first)
            #expect(recorded.type == "ImageBuilt")
            let metadata = recorded.decodedMetadata()
            #expect(metadata.actor == "dave-deployer")
            #expect(metadata.role == "deployer")
            #expect(metadata.source == "https://github.com/WordPress/openverse/actions/runs/42")
            #expect(metadata.commit == "3f9c2e1")
            let events = try #require(response.json["events"] as? [[String: Any]])
            #expect(events.first?["position"] as? Int == Int(recorded.position))
        }
    }

    @Test func theSameIdempotencyKeyRecordsOnceAndAnswersTheSame() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            var headers = HTTPFields.bearer(harness.deployer)
            headers[HTTPField.Name("Idempotency-Key")!] = "run-42-attempt-1-build"
            let first = try await client.execute(uri: "/api/v1/events", method: .post, headers: headers, body: ByteBuffer(string: Self.imageBuilt))
            let retry = try await client.execute(uri: "/api/v1/events", method: .post, headers: headers, body: ByteBuffer(string: Self.imageBuilt))
            #expect(first.status == .created)
            #expect(retry.status == .ok)
            #expect(retry.json["deduplicated"] as? Bool == true)
            #expect((first.json["events"] as? [[String: Any]])?.first?["position"] as? Int
                    == (retry.json["events"] as? [[String: Any]])?.first?["position"] as? Int)
            #expect(try harness.store.events(EventFilter(stream: "build-api-42")).count == 1)
            let other = Self.imageBuilt.replacingOccurrences(of: "3f9c2e1\", \"digest", with: "a1b2c3d\", \"digest")
            let conflict = try await client.execute(uri: "/api/v1/events", method: .post, headers: headers, body: ByteBuffer(string: other))
            #expect(conflict.status == .conflict)
        }
    }

    @Test func severalEventsAppendAtomicallyWithAnExpectedVersion() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let build = #"{"stream": "build-x", "type": "ImageBuilt", "data": {"app": "api", "image": "i", "tag": "t", "digest": "sha256:1"}}"#
            let body = #"{"expected_version": "no-stream", "events": [\#(build), \#(build)]}"#
            let first = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(harness.deployer), body: ByteBuffer(string: body))
            #expect(first.status == .created)
            let stale = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(harness.deployer), body: ByteBuffer(string: body))
            #expect(stale.status == .conflict)
            #expect(try harness.store.streamVersion("build-x") == 2)
        }
    }

    @Test func theLogReadsPageByPageAfterAPosition() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let head = try harness.store.head()?.position ?? 0
            let page = try await client.execute(uri: "/api/v1/events?after=1&limit=2", method: .get, headers: .bearer(harness.viewer))
            let positions = (page.json["events"] as? [[String: Any]] ?? []).compactMap { $0["position"] as? Int }
            #expect(positions == [2, 3])
            #expect(page.json["next_after"] as? Int == 3)
            #expect(head == 3)
            let tokens = try await client.execute(uri: "/api/v1/events?stream=tokens&type=TokenIssued", method: .get, headers: .bearer(harness.viewer))
            #expect((tokens.json["events"] as? [Any])?.count == 3)
        }
    }

    @Test func aViewerCannotRecordAndABotCannotClaimSomeoneElsesName() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let viewer = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(harness.viewer), body: ByteBuffer(string: Self.imageBuilt))
            #expect(viewer.status == .forbidden)
            let impersonating = Self.imageBuilt.replacingOccurrences(of: #""commit": "3f9c2e1""#, with: #""commit": "3f9c2e1", "actor": "ana-maintainer""#)
            let forged = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(harness.deployer), body: ByteBuffer(string: impersonating))
            #expect(forged.status == .badRequest)
            #expect(forged.errorMessage?.contains("on_behalf_of") == true)
            #expect(try harness.store.events(EventFilter(stream: "build-api-42")).isEmpty)
        }
    }
}
