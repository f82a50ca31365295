import Foundation
import Hummingbird
import Ledger

/// A request body whose fields are its `CodingKeys`, spelt as they appear in JSON (snake_case):
/// ``APIRequestDecoder`` refuses a body with any other field, or with a field set to null, before
/// the synthesized `init(from:)` reads it, so a misspelt field is refused rather than ignored.
protocol StrictDecodable: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

extension StrictDecodable {
    static var knownKeys: Set<String> { Set(CodingKeys.allCases.map(\.stringValue)) }

    /// Decodes a body of JSON `data`, its fields checked first; as every path that takes JSON from
    /// a client, ``StrictJSON`` refuses an object holding one key twice.
    static func decode(from data: Data) throws -> Self {
        try StrictJSON.decode(Checked<Self>.self, from: data, what: "the body").body
    }
}

/// Checks the fields, then runs the body's own `init(from:)` on the same decoder.
private struct Checked<Body: StrictDecodable>: Decodable {
    let body: Body

    init(from decoder: any Decoder) throws {
        try decoder.ensureKnownNonNullFields(knownKeys: Body.knownKeys)
        body = try Body(from: decoder)
    }
}

extension Decoder {
    /// Refuses (400) an object with a key outside `knownKeys` (Ledger's check, worded for HTTP),
    /// or with a null value: responses leave absent values out and requests do the same.
    func ensureKnownNonNullFields(knownKeys: Set<String>) throws {
        do {
            try ensureNoAdditionalProperties(knownKeys: knownKeys)
        } catch let unknown as UnknownFieldError {
            throw HTTPError(.badRequest, message: "unknown field '\(unknown.field)' (expected: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        let object = try container(keyedBy: AnyCodingKey.self)
        let keys = object.allKeys.sorted { $0.stringValue < $1.stringValue }
        if let null = try keys.first(where: { try object.decodeNil(forKey: $0) }) {
            throw HTTPError(.badRequest, message: "field '\(null.stringValue)' is null: leave it out instead")
        }
    }
}
