import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import OpenAPIKit30
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
            let document = try JSONDecoder().decode(OpenAPI.Document.self, from: Data(response.body.readableBytesView))
            #expect(document.openAPIVersion.rawValue.hasPrefix("3."))
        }
    }

    /// OpenAPIKit's own checks, warnings counted as errors, of the YAML written and the JSON served,
    /// which have the same operations and schemas. (OpenAPIKit's values decoded from YAML and from
    /// JSON are not `==` though their JSON is the same: Yams and JSONDecoder type examples apart.)
    @Test func theDocumentIsValidOpenAPIAndServedAsWritten() throws {
        let served = try ServedDocument.served(), written = try ServedDocument.written()
        #expect(throws: Never.self) { try served.validate(strict: true) }
        #expect(throws: Never.self) { try written.validate(strict: true) }
        #expect(Set(written.paths.keys) == Set(served.paths.keys))
        #expect(Set(written.components.schemas.keys) == Set(served.components.schemas.keys))
        let routes = { (document: OpenAPI.Document) in
            Set(try document.locallyDereferenced().resolved().endpoints.map { "\($0.method.rawValue) \($0.path.rawValue)" })
        }
        #expect(try routes(written) == routes(served))
    }

    @Test func everyRouteTheRouterHasIsDocumentedAndEveryDocumentedRouteIsMounted() async throws {
        let harness = try await ServiceHarness()
        let mounted = Set(try buildRouter(harness.backend, settings: harness.settings).routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = Set(try ServedDocument.operations().map(\.route))
        #expect(mounted.subtracting(documented).sorted() == [], "routes the document leaves out")
        #expect(documented.subtracting(mounted).sorted() == [], "documented routes the router does not have")
    }

    @Test func everyResponseOfEveryOperationHasASchemaAndEveryReferenceResolves() throws {
        // Dereferencing fails on any reference that points at nothing.
        #expect(throws: Never.self) { try ServedDocument.served().locallyDereferenced() }
        for operation in try ServedDocument.operations() {
            let responses = operation.endpoint.responses
            #expect(!responses.isEmpty, "\(operation.route) documents no response")
            // Only a redirect has no body.
            for (status, response) in responses where !status.rawValue.hasPrefix("3") {
                #expect(!response.content.isEmpty, "\(operation.route) \(status.rawValue) has no content")
                for (mediaType, body) in response.content {
                    #expect(body.schema != nil, "\(operation.route) \(status.rawValue) \(mediaType.rawValue) has no schema")
                }
            }
            if operation.secured {
                #expect(operation.documented["401"] != nil, "\(operation.route) needs a token but documents no 401")
            }
        }
    }

    @Test func requestBodiesRefuseUnknownFieldsAsTheAPIDoes() throws {
        let schemas = try ServedDocument.served().components.schemas
        for name in ["DeployRequest", "RollbackRequest", "PromotionRequest", "ReconcileRequest", "SingleAppend", "BatchAppend", "NewEvent", "EventMetadata"] {
            let key = try #require(OpenAPI.ComponentKey(rawValue: name))
            #expect(schemas[key]?.objectContext?.additionalProperties?.a == false, "\(name) allows unknown fields")
        }
    }

    @Test func theDocumentedEventTypesAreTheOnesTheLedgerKnows() throws {
        let key = try #require(OpenAPI.ComponentKey(rawValue: "EventType"))
        let values = try #require(ServedDocument.served().components.schemas[key]?.allowedValues)
        let documented = values.compactMap { $0.value as? String }
        #expect(documented.sorted() == EventTypes.names.sorted())
    }

    /// Each documented operation, called with its example path parameters and no query or body,
    /// reaches its handler (not the router's 404 or 405) and answers a documented status with a
    /// documented content type.
    @Test func everyDocumentedOperationIsAnsweredByItsHandlerWithADocumentedStatus() async throws {
        let harness = try await ServiceHarness()
        let calls = try ServedDocument.operations().map { try $0.exampleCall() }
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
