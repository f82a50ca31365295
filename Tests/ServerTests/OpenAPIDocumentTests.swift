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
            let document = try OpenAPI(data: Data(response.body.readableBytesView))
            #expect(document.version.hasPrefix("3."))
            #expect(document.operations.count >= 15)
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

/// Just enough of an OpenAPI document to check it against the router.
struct OpenAPI {
    struct Operation {
        var method: String
        var path: String
        var secured: Bool
        var parameters: [[String: Any]]
        var responses: [String: [String: Any]]
        var route: String { "\(method) \(path)" }
    }

    let root: [String: Any]

    init(data: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw HarnessError("not a JSON object") }
        self.root = root
    }

    /// The document the service serves.
    static func served() throws -> OpenAPI {
        try OpenAPI(data: Data(OpenAPIDocument.json.utf8))
    }

    var version: String { root["openapi"] as? String ?? "" }

    var operations: [Operation] {
        let paths = root["paths"] as? [String: [String: Any]] ?? [:]
        let securedByDefault = !((root["security"] as? [Any]) ?? []).isEmpty
        return paths.sorted { $0.key < $1.key }.flatMap { path, item in
            item.filter { ["get", "post", "put", "patch", "delete", "head"].contains($0.key) }.sorted { $0.key < $1.key }.map { method, value in
                let operation = value as? [String: Any] ?? [:]
                // A token is needed unless the operation has no requirement, or an empty one among them.
                let security = operation["security"] as? [[String: Any]]
                let secured = security.map { !$0.isEmpty && !$0.contains { $0.isEmpty } } ?? securedByDefault
                return Operation(
                    method: method.uppercased(), path: path, secured: secured,
                    parameters: (operation["parameters"] as? [[String: Any]] ?? []) + (item["parameters"] as? [[String: Any]] ?? []),
                    responses: operation["responses"] as? [String: [String: Any]] ?? [:])
            }
        }
    }

    func schema(_ name: String) -> [String: Any]? {
        ((root["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any]
    }

    /// `object`, or what its `$ref` points at.
    func resolve(_ object: [String: Any]) throws -> [String: Any] {
        guard let reference = object["$ref"] as? String else { return object }
        guard let target = lookUp(reference) as? [String: Any] else { throw HarnessError("\(reference) does not resolve") }
        return try resolve(target)
    }

    /// Every `$ref` in the document that points at nothing.
    func unresolvedReferences() -> [String] {
        var missing: [String] = []
        func visit(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String, lookUp(reference) == nil { missing.append(reference) }
                object.values.forEach(visit)
            } else if let array = value as? [Any] {
                array.forEach(visit)
            }
        }
        visit(root)
        return missing
    }

    /// A request for each operation, to its example path, with the media types each documented
    /// status may answer.
    struct ExampleCall: Sendable {
        var route: String
        var method: HTTPRequest.Method
        var uri: String
        var documented: [String: Set<String>]
    }

    func exampleCalls() throws -> [ExampleCall] {
        try operations.map { operation in
            let documented = try operation.responses.mapValues { response in
                Set((try resolve(response)["content"] as? [String: Any] ?? [:]).keys)
            }
            guard let method = HTTPRequest.Method(operation.method) else { throw HarnessError("\(operation.route): unknown method") }
            var uri = try examplePath(operation)
            // A stream that succeeds never ends: ask it for a start it refuses, which its own handler answers.
            if documented["200"]?.contains("text/event-stream") == true { uri += "?after=-1" }
            return ExampleCall(route: operation.route, method: method, uri: uri, documented: documented)
        }
    }

    /// The operation's path with each path parameter replaced by its example.
    func examplePath(_ operation: Operation) throws -> String {
        var path = operation.path
        for parameter in try operation.parameters.map(resolve) where parameter["in"] as? String == "path" {
            guard let name = parameter["name"] as? String, let example = parameter["example"] as? String else {
                throw HarnessError("\(operation.route): path parameter without an example")
            }
            path = path.replacingOccurrences(of: "{\(name)}", with: example)
        }
        return path
    }

    private func lookUp(_ reference: String) -> Any? {
        guard reference.hasPrefix("#/") else { return nil }
        var current: Any? = root
        for key in reference.dropFirst(2).split(separator: "/") {
            current = (current as? [String: Any])?[String(key)]
        }
        return current
    }
}
