/// What an append expects of its stream, as EventStoreDB has it.
///
/// Versions count from 1: a stream's first event is version 1, and a stream
/// that does not exist is at version 0.
public enum ExpectedVersion: Sendable, Equatable, CustomStringConvertible {
    /// Append whatever the stream holds.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must have at least one event.
    case streamExists
    /// The stream's last event must be exactly this version.
    case exactly(Int64)

    /// Parses the CLI's spelling: `any`, `no-stream`, `exists`, or a version number.
    public init?(argument: String) {
        switch argument {
        case "any": self = .any
        case "no-stream": self = .noStream
        case "exists", "stream-exists": self = .streamExists
        default:
            guard let version = Int64(argument), version >= 0 else { return nil }
            self = version == 0 ? .noStream : .exactly(version)
        }
    }

    public func accepts(actual: Int64) -> Bool {
        switch self {
        case .any: true
        case .noStream: actual == 0
        case .streamExists: actual > 0
        case .exactly(let version): actual == version
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .streamExists: "stream exists"
        case .exactly(let version): "version \(version)"
        }
    }
}
