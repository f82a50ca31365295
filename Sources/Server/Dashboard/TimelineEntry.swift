import Foundation
import Ledger

/// One event of a deployment's timeline: when, what, who, and its data as `name: value` lines.
/// Stored properties only: Mustache reads them by reflection.
struct TimelineEntry: Sendable {
    struct Field: Sendable {
        let name: String
        let value: String
    }

    let position: Int64
    let version: Int64
    let type: String
    let recordedAt: String
    let recordedAtText: String
    /// The person who counts (the one a bot acted for), or `unknown`.
    let actor: String
    let via: String?
    let fields: [Field]

    init(_ event: RecordedEvent) {
        let metadata = event.decodedMetadata()
        position = event.position
        version = event.version
        type = event.type
        recordedAt = event.recordedAt
        recordedAtText = DisplayText.time(event.recordedAt)
        actor = metadata.effectiveActor ?? "unknown"
        via = metadata.via
        let data = (try? JSONDecoder().decode([String: Value].self, from: Data(event.data.utf8))) ?? [:]
        fields = data.keys.sorted().map { Field(name: $0.replacingOccurrences(of: "_", with: " "), value: data[$0]?.text ?? "") }
    }

    /// Any JSON value, shown on one line. Decoded with `JSONDecoder` rather than read from
    /// `JSONSerialization`, whose numbers 0 and 1 cannot be told from booleans.
    private enum Value: Decodable {
        case text(String), number(String), bool(Bool), list([Value]), object([String: Value]), null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let bool = try? container.decode(Bool.self) {
                self = .bool(bool)
            } else if let integer = try? container.decode(Int64.self) {
                self = .number(String(integer))
            } else if let number = try? container.decode(Double.self) {
                self = .number(String(number))
            } else if let text = try? container.decode(String.self) {
                self = .text(text)
            } else if let list = try? container.decode([Value].self) {
                self = .list(list)
            } else {
                self = .object(try container.decode([String: Value].self))
            }
        }

        var text: String {
            switch self {
            case .text(let text), .number(let text): text
            case .bool(let bool): bool ? "yes" : "no"
            case .list(let list): list.map(\.text).joined(separator: ", ")
            case .object(let object): object.keys.sorted().map { "\($0)=\(object[$0]?.text ?? "")" }.joined(separator: ", ")
            case .null: "none"
            }
        }
    }
}
