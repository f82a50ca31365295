import Foundation
import Hummingbird

/// A request body whose fields are its `CodingKeys`, spelt as they appear in JSON (snake_case):
/// ``APIRequestDecoder`` refuses a body with any other field, or with a field set to null, before
/// the synthesized `init(from:)` reads it, so a misspelt field is refused rather than ignored.
protocol StrictDecodable: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

extension StrictDecodable {
    static var knownKeys: Set<String> { Set(CodingKeys.allCases.map(\.stringValue)) }

    /// Decodes a body of JSON `data`, its fields checked first.
    static func decode(from data: Data) throws -> Self {
        try JSONDecoder().decode(Checked.self, from: data).body
    }
}

/// Checks the fields, then runs the body's own `init(from:)` on the same decoder.
private struct Checked<Body: StrictDecodable>: Decodable {
    let body: Body

    init(from decoder: any Decoder) throws {
        try decoder.ensureNoAdditionalProperties(knownKeys: Body.knownKeys)
        body = try Body(from: decoder)
    }
}

extension Decoder {
    /// Refuses (400) an object with a key outside `knownKeys`, naming the first in sorted order,
    /// or with a null value: responses leave absent values out and requests do the same. The shape
    /// is swift-openapi-runtime's `ensureNoAdditionalProperties(knownKeys:)`.
    func ensureNoAdditionalProperties(knownKeys: Set<String>) throws {
        let object = try self.container(keyedBy: AnyCodingKey.self)
        let keys = object.allKeys.sorted { $0.stringValue < $1.stringValue }
        if let unknown = keys.first(where: { !knownKeys.contains($0.stringValue) }) {
            throw HTTPError(.badRequest, message: "unknown field '\(unknown.stringValue)' (expected: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        if let null = try keys.first(where: { try object.decodeNil(forKey: $0) }) {
            throw HTTPError(.badRequest, message: "field '\(null.stringValue)' is null: leave it out instead")
        }
    }
}

/// Any key of a JSON object, to list the keys a body carries.
private struct AnyCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int? = nil
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
