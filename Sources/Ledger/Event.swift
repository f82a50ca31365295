import Foundation

/// An event to append: which stream, its typed payload with the JSON text stored for it, who
/// and how.
///
/// Every way to make one checks the data against its type's schema, so an event that exists is
/// valid: the store appends it as it is, and projections read its payload without decoding again.
public struct NewEvent: Sendable {
    /// The event's UUID; generated at append when `nil`.
    public var id: UUID?
    public var stream: String
    public var metadata: EventMetadata
    /// The data, typed: what projections and authority rules read.
    public let payload: any EventPayload
    /// The data as the log stores it: JSON object text of ``payload``.
    public let data: String

    public var type: String { Swift.type(of: payload).eventType }

    /// An event of a known type, from its payload.
    public init<Payload: EventPayload>(id: UUID? = nil, stream: String, _ payload: Payload, metadata: EventMetadata = EventMetadata()) {
        self.init(id: id, stream: stream, payload: payload, data: payload.jsonText(), metadata: metadata)
    }

    /// An event from JSON data text, which is stored as given once it decodes as a valid payload of `type`.
    ///
    /// - Throws: ``LedgerError`` naming the problem: an unknown type, a missing, mistyped or unknown field.
    public init(id: UUID? = nil, stream: String, type: String, data: String, metadata: EventMetadata = EventMetadata()) throws {
        let payload = try EventTypes.payload(type: type, text: data)
        self.init(id: id, stream: stream, payload: payload, data: data, metadata: metadata)
    }

    private init(id: UUID?, stream: String, payload: any EventPayload, data: String, metadata: EventMetadata) {
        self.id = id
        self.stream = stream
        self.payload = payload
        self.data = data
        self.metadata = metadata
    }

    /// The fields an event object may carry, as a recorder writes it.
    private enum Field: String, CodingKey, CaseIterable {
        case id, stream, type, data, metadata
    }

    static let fieldNames = Field.allCases.map(\.rawValue)

    /// Reads one event as a recorder writes it, `{"stream": ..., "type": ..., "data": {...}}`
    /// with optional `id` and `metadata`, checking each field and the data's schema.
    ///
    /// - Parameter extraKeys: keys the enclosing document uses beside the event's own.
    /// - Throws: ``LedgerError`` naming the problem; a `DecodingError` only when `decoder` does
    ///   not hold a JSON object (the caller knows what it should have held).
    public init(from decoder: any Decoder, alsoAllowing extraKeys: Set<String>) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        do {
            try decoder.ensureNoAdditionalProperties(knownKeys: Field.self, alsoAllowing: extraKeys)
        } catch let error as UnknownFieldError {
            throw LedgerError.invalidEvent("unknown field '\(error.field)' (expected: \(Self.fieldNames.joined(separator: ", ")))")
        }
        let stream = try Self.name("stream", in: container)
        try NameRule.check(stream, what: "field 'stream'")
        let type = try Self.name("type", in: container)
        guard container.contains("data") else { throw LedgerError.invalidEvent("\(type): missing field 'data'") }
        guard let data = try? container.superDecoder(forKey: "data"), (try? data.container(keyedBy: AnyCodingKey.self)) != nil else {
            throw LedgerError.invalidEvent("\(type): field 'data' must be a JSON object")
        }
        let payload = try EventTypes.payload(type: type, at: data)

        var id: UUID?
        if container.contains("id") {
            guard let text = try? container.decode(String.self, forKey: "id"), let uuid = UUID(uuidString: text) else {
                throw LedgerError.invalidEvent("field 'id' must be a UUID")
            }
            id = uuid
        }
        var metadata = EventMetadata()
        if container.contains("metadata") {
            guard let fields = try? container.superDecoder(forKey: "metadata"), (try? fields.container(keyedBy: AnyCodingKey.self)) != nil else {
                throw LedgerError.invalidEvent("field 'metadata' must be a JSON object")
            }
            metadata = try EventMetadata(recordedFrom: fields)
        }
        self.init(id: id, stream: stream, payload: payload, data: payload.jsonText(), metadata: metadata)
    }

    private static func name(_ key: AnyCodingKey, in container: KeyedDecodingContainer<AnyCodingKey>) throws -> String {
        guard container.contains(key) else { throw LedgerError.invalidEvent("missing field '\(key.stringValue)'") }
        guard let value = try? container.decode(String.self, forKey: key), !value.isEmpty else {
            throw LedgerError.invalidEvent("field '\(key.stringValue)' must be a non-empty string")
        }
        return value
    }
}

extension NewEvent: Decodable {
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, alsoAllowing: [])
    }
}

/// An event as the log holds it.
public struct RecordedEvent: Sendable, Equatable, Codable {
    /// The event's place in the whole log: 1, 2, 3, ... with no gaps.
    public var position: Int64
    public var id: String
    public var stream: String
    /// The event's place in its stream, from 1.
    public var version: Int64
    public var type: String
    /// JSON object text.
    public var data: String
    /// JSON object text (see ``EventMetadata``).
    public var metadata: String
    /// UTC, ISO 8601 with microseconds.
    public var recordedAt: String
    public var prevHash: [UInt8]
    public var hash: [UInt8]

    public init(
        position: Int64, id: String, stream: String, version: Int64, type: String, data: String,
        metadata: String, recordedAt: String, prevHash: [UInt8], hash: [UInt8]
    ) {
        self.position = position
        self.id = id
        self.stream = stream
        self.version = version
        self.type = type
        self.data = data
        self.metadata = metadata
        self.recordedAt = recordedAt
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The metadata, decoded.
    public func decodedMetadata() -> EventMetadata {
        (try? EventMetadata.decode(from: metadata)) ?? EventMetadata()
    }

    /// The event as one line of JSON: data and metadata inline, hashes in hex.
    public func jsonLine() -> String {
        var text = "{\"position\":\(position),\"id\":"
        JSONText.appendQuoted(id, to: &text)
        text += ",\"stream\":"
        JSONText.appendQuoted(stream, to: &text)
        text += ",\"version\":\(version),\"type\":"
        JSONText.appendQuoted(type, to: &text)
        text += ",\"data\":\(data),\"metadata\":\(metadata),\"recorded_at\":"
        JSONText.appendQuoted(recordedAt, to: &text)
        text += ",\"prev_hash\":\"\(prevHash.hexString)\",\"hash\":\"\(hash.hexString)\"}"
        return text
    }
}

extension Sequence<UInt8> {
    /// Lower-case hexadecimal.
    public var hexString: String {
        // Built as ASCII bytes: appending Characters one by one is many times slower,
        // and exports print two hashes for every event.
        var ascii: [UInt8] = []
        ascii.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            ascii.append(hexDigits[Int(byte >> 4)])
            ascii.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: ascii, as: UTF8.self)
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

extension [UInt8] {
    /// Lower-case hexadecimal; the same as the `Sequence` form, without its
    /// generic iteration (exports print two hashes for every event).
    public var hexString: String {
        String(unsafeUninitializedCapacity: count * 2) { buffer in
            var index = 0
            for byte in self {
                buffer[index] = hexDigits[Int(byte >> 4)]
                buffer[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }
}

extension [UInt8] {
    /// Bytes from lower- or upper-case hex; `nil` when not hex.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case 48...57: digit - 48
            case 97...102: digit - 87
            case 65...70: digit - 55
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self = bytes
    }
}
