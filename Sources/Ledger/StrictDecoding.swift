import Foundation

/// A coding key for any name: reads an object's keys as they are written.
public struct AnyCodingKey: CodingKey, Hashable, ExpressibleByStringLiteral {
    public var stringValue: String
    public var intValue: Int? { nil }

    public init(_ name: String) { stringValue = name }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
    public init(stringLiteral name: String) { stringValue = name }
}

/// A key that an object holds but its type does not know: a misspelt field is refused rather
/// than ignored.
public struct UnknownFieldError: Error, Sendable {
    /// The first unknown key, in sorted order.
    public let field: String
}

extension Decoder {
    /// Refuses an object with a key outside `knownKeys` (the shape of swift-openapi-runtime's
    /// `ensureNoAdditionalProperties(knownKeys:)`); the caller words the refusal.
    ///
    /// - Throws: ``UnknownFieldError`` naming the first unknown key in sorted order.
    public func ensureNoAdditionalProperties(knownKeys: Set<String>) throws {
        try ensureNoAdditionalProperties { knownKeys.contains($0) }
    }

    /// Refuses an object with a key that is not one of `Keys` (or `alsoAllowing`): the check
    /// the append path makes for every event and payload, without building a set of names.
    ///
    /// - Throws: ``UnknownFieldError`` naming the first unknown key in sorted order.
    public func ensureNoAdditionalProperties<Keys: CodingKey>(knownKeys: Keys.Type, alsoAllowing extraKeys: Set<String> = []) throws {
        try ensureNoAdditionalProperties { Keys(stringValue: $0) != nil || extraKeys.contains($0) }
    }

    private func ensureNoAdditionalProperties(isKnown: (String) -> Bool) throws {
        var unknown: String?
        for key in try container(keyedBy: AnyCodingKey.self).allKeys where !isKnown(key.stringValue) {
            if unknown.map({ key.stringValue < $0 }) ?? true { unknown = key.stringValue }
        }
        if let unknown { throw UnknownFieldError(field: unknown) }
    }
}

/// Decodes JSON written by a client (a CLI line, an HTTP body) as it is written: no key
/// conversion, and no object holding one key twice.
public enum StrictJSON {
    /// Key names are the types' own snake_case `CodingKeys`; the decoder holds no state between calls.
    private static let decoder = JSONDecoder()

    /// Decodes `data` as `T`, whose `init(from:)` refuses what it does not know with its own
    /// errors; an object holding one key twice is refused whatever `T` makes of it.
    ///
    /// - Parameter what: names the text in errors (`the line`, `the body`).
    /// - Throws: ``LedgerError`` for text that is not JSON or holds a key twice; else what `T` throws.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        let result = Result { try decoder.decode(T.self, from: data) }
        if case .failure(DecodingError.dataCorrupted(let context)) = result, context.codingPath.isEmpty {
            throw LedgerError.invalidEvent("\(what) is not valid JSON")
        }
        if let key = JSONText.duplicateKey(in: data) { throw LedgerError.invalidEvent("\(what) has the key '\(key)' twice") }
        return try result.get()
    }
}
