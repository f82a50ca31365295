import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Testing

/// Every kind of bad request gets a 4xx with a one-line JSON error, stores nothing, and leaves the
/// service up: each case runs against one live server, which answers /healthz after all of them.
@Suite struct BadInputTests {
    struct Case: CustomStringConvertible {
        var name: String
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        var status: HTTPResponse.Status
        var message: String
        var description: String { name }
    }

    static let deploy = "/api/v1/deployments"

    static let cases: [Case] = [
        Case(name: "invalid JSON", method: .post, uri: deploy, body: #"{"app": "api", "#, status: .badRequest, message: "not valid JSON"),
        Case(name: "empty body", method: .post, uri: deploy, body: "", status: .badRequest, message: "JSON"),
        Case(name: "a JSON array", method: .post, uri: deploy, body: "[1, 2]", status: .badRequest, message: "JSON object"),
        Case(name: "wrong type", method: .post, uri: deploy, body: #"{"app": 5, "environment": "staging", "tag": "3f9c2e1"}"#,
             status: .badRequest, message: "field 'app' must be a string"),
        Case(name: "missing field", method: .post, uri: deploy, body: #"{"app": "api", "tag": "3f9c2e1"}"#,
             status: .badRequest, message: "missing field 'environment'"),
        Case(name: "unknown field", method: .post, uri: deploy, body: #"{"app": "api", "enviroment": "staging", "environment": "staging", "tag": "3f9c2e1"}"#,
             status: .badRequest, message: "unknown field 'enviroment'"),
        Case(name: "path separator in a name", method: .post, uri: deploy, body: #"{"app": "../../etc/passwd", "environment": "staging", "tag": "3f9c2e1"}"#,
             status: .badRequest, message: "app must be"),
        Case(name: "SQL in a name", method: .post, uri: deploy, body: #"{"app": "api'; DROP TABLE events;--", "environment": "staging", "tag": "x"}"#,
             status: .badRequest, message: "app must be"),
        Case(name: "SQL in a filter", method: .get, uri: "/api/v1/deployments?app=api%27%20OR%201=1--", status: .badRequest, message: "app must be"),
        Case(name: "encoded slash in a path", method: .get, uri: "/api/v1/environments/staging/..%2F..%2Fetc/version", status: .badRequest, message: "app must be"),
        Case(name: "unknown trigger", method: .post, uri: deploy, body: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1", "trigger": "yolo"}"#,
             status: .badRequest, message: "trigger must be"),
        Case(name: "huge limit", method: .get, uri: "/api/v1/deployments?limit=100000000000", status: .badRequest, message: "limit must be an integer from 1 to 500"),
        Case(name: "negative limit", method: .get, uri: "/api/v1/events?limit=-1", status: .badRequest, message: "limit must be an integer"),
        Case(name: "non-numeric position", method: .get, uri: "/api/v1/events?after=abc", status: .badRequest, message: "after must be an integer"),
        Case(name: "unknown query parameter", method: .get, uri: "/api/v1/audit?who=ana", status: .badRequest, message: "unknown query parameter 'who'"),
        Case(name: "malformed time", method: .get, uri: "/api/v1/deployments?since=yesterday", status: .badRequest, message: "since must be a date"),
        Case(name: "unknown outcome", method: .get, uri: "/api/v1/deployments?outcome=exploded", status: .badRequest, message: "outcome must be one of"),
        Case(name: "unknown route", method: .get, uri: "/api/v1/nothing-here", status: .notFound, message: "no such resource"),
        Case(name: "unknown deployment", method: .get, uri: "/api/v1/deployments/deployment-api-staging-999", status: .notFound, message: "no deployment"),
        Case(name: "a method the route does not take", method: .delete, uri: "/api/v1/environments", status: .methodNotAllowed,
             message: "DELETE is not allowed on /api/v1/environments (allowed: GET)"),
        Case(name: "a method a parameterised route does not take", method: .put, uri: "/api/v1/deployments/deployment-api-staging-1",
             status: .methodNotAllowed, message: "(allowed: GET)"),
        Case(name: "unknown event type", method: .post, uri: "/api/v1/events", body: #"{"stream": "s", "type": "Exploded", "data": {}}"#,
             status: .badRequest, message: "unknown event type"),
        Case(name: "event data not an object", method: .post, uri: "/api/v1/events", body: #"{"stream": "s", "type": "ImageBuilt", "data": "x"}"#,
             status: .badRequest, message: "must be a JSON object"),
        Case(name: "event with an unknown field", method: .post, uri: "/api/v1/events", body: #"{"stream": "s", "type": "ImageBuilt", "data": {}, "colour": "red"}"#,
             status: .badRequest, message: "unknown field 'colour'"),
        Case(name: "bad expected version", method: .post, uri: "/api/v1/events",
             body: #"{"expected_version": true, "events": [{"stream": "s", "type": "ImageBuilt", "data": {}}]}"#, status: .badRequest, message: "expected_version"),
        Case(name: "too large a proof position", method: .get, uri: "/api/v1/proofs/inclusion?position=99999", status: .badRequest, message: "position"),
        Case(name: "reconcile with a wrong type", method: .post, uri: "/api/v1/reconcile", body: #"{"dry_run": "yes"}"#,
             status: .badRequest, message: "field 'dry_run' must be true or false"),
    ]

    @Test func everyBadRequestIsA4xxWithAJSONErrorAndStoresNothing() async throws {
        let harness = try await ServiceHarness()
        let before = try harness.store.head()?.position
        try await harness.application().test(.live) { client in
            for badCase in Self.cases {
                let response = try await client.execute(
                    uri: badCase.uri, method: badCase.method, headers: .bearer(harness.maintainer),
                    body: badCase.body.map { ByteBuffer(string: $0) })
                #expect(response.status == badCase.status, "\(badCase.name)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(badCase.name)")
                let message = response.errorMessage ?? ""
                #expect(message.contains(badCase.message), "\(badCase.name): \(message)")
                #expect(!message.contains("\n"), "\(badCase.name): one line")
            }
            let huge = String(repeating: "x", count: 2 << 20)
            let tooLarge = try await client.execute(
                uri: "/api/v1/events", method: .post, headers: .bearer(harness.maintainer),
                body: ByteBuffer(string: #"{"stream": "s", "type": "ImageBuilt", "data": {"x": "\#(huge)"}}"#))
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.errorMessage?.contains("larger than the limit") == true)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
        #expect(try harness.store.head()?.position == before)
        #expect(try harness.store.verify().isIntact)
    }
}
