import Foundation
import HTTPTypes
import OpenAPIKit30
import Server
import Yams

/// The service's OpenAPI document as OpenAPIKit reads it.
enum ServedDocument {
    /// The JSON the service serves at `/openapi.json`.
    static func served() throws -> OpenAPI.Document {
        try JSONDecoder().decode(OpenAPI.Document.self, from: Data(OpenAPIDocument.json.utf8))
    }

    /// The YAML as written in the repository.
    static func written() throws -> OpenAPI.Document {
        try YAMLDecoder().decode(OpenAPI.Document.self, from: OpenAPIDocument.yaml)
    }

    /// Every operation, its references resolved and the document's default security applied.
    static func operations() throws -> [DocumentedOperation] {
        try served().locallyDereferenced().resolved().endpoints.map(DocumentedOperation.init)
    }
}

/// One operation of the document, and a request for it to its example path.
struct DocumentedOperation {
    let endpoint: ResolvedEndpoint

    var route: String { "\(endpoint.method.rawValue) \(endpoint.path.rawValue)" }

    /// A token is needed unless the operation has no requirement, or an empty one among them.
    var secured: Bool { !endpoint.security.isEmpty && !endpoint.security.contains { $0.schemes.isEmpty } }

    /// The media types each documented status may answer.
    var documented: [String: Set<String>] {
        Dictionary(uniqueKeysWithValues: endpoint.responses.map { status, response in
            (status.rawValue, Set(response.content.keys.map(\.rawValue)))
        })
    }

    struct ExampleCall: Sendable {
        var route: String
        var method: HTTPRequest.Method
        var uri: String
        var documented: [String: Set<String>]
    }

    func exampleCall() throws -> ExampleCall {
        guard let method = HTTPRequest.Method(endpoint.method.rawValue) else { throw HarnessError("\(route): unknown method") }
        var uri = try examplePath()
        // A stream that succeeds never ends: ask it for a start it refuses, which its own handler answers.
        if documented["200"]?.contains("text/event-stream") == true { uri += "?after=-1" }
        return ExampleCall(route: route, method: method, uri: uri, documented: documented)
    }

    /// The operation's path with each path parameter replaced by its example.
    func examplePath() throws -> String {
        var path = endpoint.path.rawValue
        for parameter in endpoint.parameters where parameter.location == .path {
            guard let example = parameter.schemaOrContent.a?.example?.value as? String else {
                throw HarnessError("\(route): path parameter without an example")
            }
            path = path.replacingOccurrences(of: "{\(parameter.name)}", with: example)
        }
        return path
    }
}
