import Foundation
import Yams

/// The API as an OpenAPI 3 document, served at `GET /openapi.json`.
///
/// Written by hand in `Contracts/openapi.yaml` and embedded by `ResourcesPlugin`, so the service
/// needs no file at run time. `OpenAPIDocumentTests` reads it with OpenAPIKit and holds it to the
/// router (every route documented, every documented route mounted), `scripts/test` runs
/// schemathesis against a live service with it, so a response that strays from these schemas
/// fails CI, and `docs/api.md` is generated from it.
public enum OpenAPIDocument {
    /// The document as written.
    public static let yaml = EmbeddedResources.openapiYaml

    /// The document as JSON, converted once on first use; keys sorted so it reads the same on
    /// every start.
    public static let json: String = {
        // The document is a constant: one that does not convert is a bug every OpenAPI test shows.
        let object = jsonObject(try! Yams.load(yaml: yaml)!)
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }()

    /// Yams' mappings keyed by `AnyHashable` as the string-keyed dictionaries JSONSerialization takes.
    private static func jsonObject(_ value: Any) -> Any {
        switch value {
        case let mapping as [AnyHashable: Any]:
            Dictionary(uniqueKeysWithValues: mapping.map { key, value in ("\(key.base)", jsonObject(value)) })
        case let sequence as [Any]:
            sequence.map(jsonObject)
        default:
            value
        }
    }
}
