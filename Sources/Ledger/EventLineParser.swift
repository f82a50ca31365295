import Foundation

/// Parses events written as JSON, one object a line, the way CI steps record
/// what they did:
///
/// ```json
/// {"stream": "deployment-42", "type": "DeploymentRequested", "data": {...}, "metadata": {...}}
/// ```
///
/// `id` and `metadata` are optional. Known types are checked against their
/// schema; every problem is reported with its line number.
public enum EventLineParser {
    static let fields: Set<String> = ["id", "stream", "type", "data", "metadata"]

    /// The largest event a recorder may send, as the HTTP API's body limit has it.
    public static let maximumEventSize = 1 << 20

    /// Parses every non-blank line of `text`.
    ///
    /// - Parameter defaults: metadata for fields a line leaves out (the CLI's actor, run URL, commit).
    public static func parse(_ text: String, defaults: EventMetadata) throws -> [NewEvent] {
        var events: [NewEvent] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            do {
                events.append(try parseLine(trimmed, defaults: defaults))
            } catch let error as LedgerError {
                throw LedgerError.invalidEvent("line \(index + 1): \(error.message)")
            }
        }
        guard !events.isEmpty else { throw LedgerError.invalidEvent("no events in the input") }
        return events
    }

    /// Parses one JSON object into an event.
    public static func parseLine(_ line: String, defaults: EventMetadata) throws -> NewEvent {
        guard line.utf8.count <= maximumEventSize else {
            throw LedgerError.invalidEvent("the line is \(line.utf8.count) bytes; an event may be at most \(maximumEventSize) (1 MiB)")
        }
        let object = try JSONText.object(from: line, what: "the line")
        try refuseDuplicateKeys(in: line.utf8, what: "the line")
        return try parseObject(object, defaults: defaults)
    }

    /// Refuses JSON text (already parsed) in which an object holds one key twice.
    public static func refuseDuplicateKeys(in json: some Collection<UInt8>, what: String) throws {
        if let key = JSONText.duplicateKey(in: json) { throw LedgerError.invalidEvent("\(what) has the key '\(key)' twice") }
    }

    /// Reads text that must be UTF-8 (a file, standard input); the error says where it is not.
    public static func text(_ bytes: [UInt8], what: String) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LedgerError.invalidEvent("\(what) is not valid UTF-8")
        }
        return text
    }

    /// Reads one event from a JSON object already parsed (`JSONSerialization`), as the HTTP API
    /// receives them.
    public static func parseObject(_ object: [String: Any], defaults: EventMetadata) throws -> NewEvent {
        if let unknown = object.keys.filter({ !fields.contains($0) }).sorted().first {
            throw LedgerError.invalidEvent("unknown field '\(unknown)' (expected: id, stream, type, data, metadata)")
        }
        guard let stream = object["stream"] as? String, !stream.isEmpty else {
            throw LedgerError.invalidEvent(object["stream"] == nil ? "missing field 'stream'" : "field 'stream' must be a non-empty string")
        }
        try NameRule.check(stream, what: "field 'stream'")
        guard let type = object["type"] as? String, !type.isEmpty else {
            throw LedgerError.invalidEvent(object["type"] == nil ? "missing field 'type'" : "field 'type' must be a non-empty string")
        }
        guard let dataValue = object["data"] else { throw LedgerError.invalidEvent("\(type): missing field 'data'") }
        guard let dataObject = dataValue as? [String: Any] else { throw LedgerError.invalidEvent("\(type): field 'data' must be a JSON object") }
        let data = try JSONText.canonical(dataValue)
        let payload = try EventTypes.validate(type: type, data: data, fields: Array(dataObject.keys))

        var id: UUID?
        if let idValue = object["id"] {
            guard let text = idValue as? String, let uuid = UUID(uuidString: text) else {
                throw LedgerError.invalidEvent("field 'id' must be a UUID")
            }
            id = uuid
        }
        var metadata = EventMetadata()
        if let metadataValue = object["metadata"] {
            guard let fields = metadataValue as? [String: Any] else {
                throw LedgerError.invalidEvent("field 'metadata' must be a JSON object")
            }
            metadata = try parseMetadata(fields)
        }
        var event = NewEvent(id: id, stream: stream, type: type, data: data, metadata: metadata.filling(from: defaults))
        event.payload = payload
        event.isSchemaChecked = true
        return event
    }

    private static func parseMetadata(_ fields: [String: Any]) throws -> EventMetadata {
        let known = Set(EventMetadata.fieldNames)
        if let unknown = fields.keys.filter({ !known.contains($0) }).sorted().first {
            throw LedgerError.invalidEvent("unknown metadata field '\(unknown)' (expected: \(EventMetadata.fieldNames.joined(separator: ", ")))")
        }
        for (key, value) in fields where !(value is String) {
            throw LedgerError.invalidEvent("metadata field '\(key)' must be a string")
        }
        if let owned = fields.keys.filter(EventMetadata.ledgerFieldNames.contains).sorted().first {
            throw LedgerError.invalidEvent("metadata field '\(owned)' is set by shiplog, not by the recorder")
        }
        let data = try JSONSerialization.data(withJSONObject: fields)
        let metadata = try EventMetadata.decode(from: String(decoding: data, as: UTF8.self))
        if let actor = metadata.actor { try NameRule.check(actor, what: "metadata field 'actor'") }
        if let person = metadata.onBehalfOf { try NameRule.check(person, what: "metadata field 'on_behalf_of'") }
        if let time = metadata.committedAt, Timestamp.date(from: time) == nil {
            throw LedgerError.invalidEvent("metadata field 'committed_at' must be a date or an ISO 8601 time, not '\(time.prefix(80))'")
        }
        return metadata
    }
}
