import Foundation
import Hummingbird
import Server

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
