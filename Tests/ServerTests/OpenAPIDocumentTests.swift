import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Server
import Testing

@Suite struct OpenAPIDocumentTests {
    @Test func theDocumentIsServedWithoutATokenAsJSON() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(String(buffer: response.body) == OpenAPIDocument.json)
            #expect(try OpenAPI(data: Data(response.body.readableBytesView)).version.hasPrefix("3."))
        }
    }

    @Test func everyRouteTheRouterHasIsDocumentedAndEveryDocumentedRouteIsMounted() async throws {
        let harness = try await ServiceHarness()
        let mounted = Set(try buildRouter(harness.backend, settings: harness.settings).routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = Set(try OpenAPI.served().operations.map(\.route))
        #expect(mounted.subtracting(documented).sorted() == [], "routes the document leaves out")
        #expect(documented.subtracting(mounted).sorted() == [], "documented routes the router does not have")
    }

    @Test func everyResponseOfEveryOperationHasASchemaAndEveryReferenceResolves() throws {
        let document = try OpenAPI.served()
        for operation in document.operations {
            #expect(!operation.responses.isEmpty, "\(operation.route) documents no response")
            // Only a redirect has no body.
            for (status, response) in operation.responses where !status.hasPrefix("3") {
                let content = try document.resolve(response)["content"] as? [String: Any] ?? [:]
                #expect(!content.isEmpty, "\(operation.route) \(status) has no content")
                for (mediaType, body) in content {
                    #expect((body as? [String: Any])?["schema"] != nil, "\(operation.route) \(status) \(mediaType) has no schema")
                }
            }
            if operation.secured {
                #expect(operation.responses["401"] != nil, "\(operation.route) needs a token but documents no 401")
            }
        }
        #expect(document.unresolvedReferences() == [])
    }

    @Test func requestBodiesRefuseUnknownFieldsAsTheAPIDoes() throws {
        let document = try OpenAPI.served()
        for name in ["DeployRequest", "RollbackRequest", "PromotionRequest", "ReconcileRequest", "SingleAppend", "BatchAppend", "NewEvent", "EventMetadata"] {
            #expect(document.schema(name)?["additionalProperties"] as? Bool == false, "\(name) allows unknown fields")
        }
    }

    @Test func theDocumentedEventTypesAreTheOnesTheLedgerKnows() throws {
        let documented = try #require(OpenAPI.served().schema("EventType")?["enum"] as? [String])
        #expect(documented.sorted() == EventTypes.names.sorted())
    }

    /// Each documented operation, called with its example path parameters and no query or body,
    /// reaches its handler (not the router's 404 or 405) and answers a documented status with a
    /// documented content type.
    @Test func everyDocumentedOperationIsAnsweredByItsHandlerWithADocumentedStatus() async throws {
        let harness = try await ServiceHarness()
        let calls = try OpenAPI.served().exampleCalls()
        try await harness.application().test(.router) { client in
            for call in calls {
                let body = call.method == .get ? nil : ByteBuffer(string: "{}")
                let response = try await client.execute(uri: call.uri, method: call.method, headers: .bearer(harness.maintainer), body: body)
                #expect(response.status != .methodNotAllowed, "\(call.route)")
                #expect(response.errorMessage?.hasPrefix("no such resource") != true, "\(call.route) is not routed")
                let mediaType = response.headers[.contentType]?.split(separator: ";").first.map(String.init) ?? ""
                guard let mediaTypes = call.documented[String(response.status.code)] else {
                    Issue.record("\(call.route) answered \(response.status.code), which it does not document")
                    continue
                }
                if mediaTypes.isEmpty {
                    #expect(response.body.readableBytes == 0, "\(call.route) \(response.status.code) has a body it does not document")
                } else {
                    #expect(mediaTypes.contains(mediaType), "\(call.route) \(response.status.code) answered \(mediaType), not \(mediaTypes.sorted())")
                }
            }
        }
    }
}
