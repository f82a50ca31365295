import Foundation

/// An event to append: which stream, what type, its JSON data, who and how.
public struct NewEvent: Sendable {
    /// The event's UUID; generated at append when `nil`.
    public var id: UUID?
    public var stream: String
    public var type: String
    /// The data as JSON object text.
    public var data: String
    public var metadata: EventMetadata
    /// The typed payload the data was encoded from, if any: projections use it
    /// instead of decoding the JSON again.
    var payload: (any EventPayload)?
    /// Set for events whose data was already checked against its schema.
    var isSchemaChecked = false

    /// An event with raw JSON data (validated against its type's schema at append).
    public init(id: UUID? = nil, stream: String, type: String, data: String, metadata: EventMetadata = EventMetadata()) {
        self.id = id
        self.stream = stream
        self.type = type
        self.data = data
        self.metadata = metadata
    }

    /// An event of a known type, from its payload.
    public init<Payload: EventPayload>(id: UUID? = nil, stream: String, _ payload: Payload, metadata: EventMetadata = EventMetadata()) {
        self.init(id: id, stream: stream, type: Payload.eventType, data: payload.jsonText(), metadata: metadata)
        self.payload = payload
        isSchemaChecked = true
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
