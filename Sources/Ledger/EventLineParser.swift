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
        var event: NewEvent
        do {
            event = try StrictJSON.decode(NewEvent.self, from: Data(line.utf8), what: "the line")
        } catch is DecodingError {
            throw LedgerError.invalidEvent("the line must be a JSON object")
        }
        event.metadata = event.metadata.filling(from: defaults)
        return event
    }

    /// Reads text that must be UTF-8 (a file, standard input); the error says where it is not.
    public static func text(_ bytes: [UInt8], what: String) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LedgerError.invalidEvent("\(what) is not valid UTF-8")
        }
        return text
    }
}
