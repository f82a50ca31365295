import Foundation
import Hummingbird
import Ledger

/// A request body, decoded by ``APIRequestDecoder`` as it is written: its fields are its
/// `CodingKeys`, spelt as they appear in JSON (snake_case), and ``StrictJSON`` refuses an object
/// holding one key twice. Before the body's own `init(from:)` runs, a field outside `CodingKeys`,
/// or set to null, is refused, so a misspelt field is refused rather than ignored.
protocol StrictBody: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable

    /// False for a body whose shape depends on what it holds, so its `init(from:)` checks the
    /// fields itself (``AppendBody``: one event, or a batch of them).
    static var fieldsAreCodingKeys: Bool { get }
}

extension StrictBody {
    static var fieldsAreCodingKeys: Bool { true }

    /// Decodes a body of JSON `data`.
    static func decode(from data: Data) throws -> Self {
        guard fieldsAreCodingKeys else { return try StrictJSON.decode(Self.self, from: data, what: "the body") }
        return try StrictJSON.decode(Checked<Self>.self, from: data, what: "the body").body
    }
}

/// Checks the fields, then runs the body's own `init(from:)` on the same decoder.
private struct Checked<Body: StrictBody>: Decodable {
    let body: Body

    init(from decoder: any Decoder) throws {
        try decoder.ensureKnownNonNullFields(knownKeys: Set(Body.CodingKeys.allCases.map(\.stringValue)))
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
