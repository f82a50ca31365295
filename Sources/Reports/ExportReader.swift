import Foundation
import Ledger

/// Reads a JSON export from a file without holding its events: ``head()`` is
/// the report with every part but the events (the deployments, the measures,
/// the checkpoint, the tree before the events), and ``forEachEvent(_:)`` reads
/// the events one at a time, for ``AuditVerifier/verify(head:previousCheckpoint:events:)``.
///
/// Any well-formed JSON of the schema is read, whatever its key order or layout.
///
/// ```swift
/// let reader = try ExportReader(path: "q3.json")
/// let head = try reader.head()
/// let result = try verifier.verify(head: head) { try reader.forEachEvent($0) }
/// ```
public final class ExportReader {
    private let handle: FileHandle
    /// Where `evidence.events` starts, once ``head()`` has found it.
    private var eventsOffset: UInt64?

    /// - Throws: ``TransparencyError/malformed(_:)`` when the file cannot be opened.
    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TransparencyError.malformed("cannot read the export \(path): no such file or not readable")
        }
        self.handle = handle
    }

    deinit {
        try? handle.close()
    }

    /// The report without its events (``Report/Evidence/events`` is empty).
    ///
    /// - Throws: ``TransparencyError/malformed(_:)`` naming what is wrong, as ``Report/decode(jsonText:)`` does.
    public func head() throws -> Report {
        var (report, rows) = try headAndRows()
        report.deployments = try rows.deployments()
        return report
    }

    /// The report without its events and without its deployments, which come apart, compact (an
    /// audit of 100k rows holds them while it walks the events).
    public func headAndRows() throws -> (Report, ExportedRows) {
        var scanner = try JSONStreamScanner(handle: handle)
        // Every member but the deployments and the events, as text, put back together for the decoder.
        var members: [(String, [UInt8])] = []
        var deployments = ExportedRows()
        try scanner.object { scanner, key in
            switch key {
            case "deployments":
                guard try scanner.peekSignificant() == UInt8(ascii: "[") else { return members.append((key, try scanner.text())) }
                members.append((key, Array("[]".utf8)))
                try scanner.array { scanner, index in
                    deployments.append(try Self.decode(ReportDeployment.self, from: try scanner.text(), at: "deployments[\(index)]"))
                }
            case "evidence":
                guard try scanner.peekSignificant() == UInt8(ascii: "{") else { return members.append((key, try scanner.text())) }
                var evidence: [(String, [UInt8])] = []
                try scanner.object { scanner, key in
                    guard key == "events", try scanner.peekSignificant() == UInt8(ascii: "[") else {
                        return evidence.append((key, try scanner.text()))
                    }
                    eventsOffset = scanner.offset
                    evidence.append((key, Array("[]".utf8)))
                    try scanner.skip()
                }
                members.append((key, Self.object(evidence)))
            default:
                members.append((key, try scanner.text()))
            }
        }
        try scanner.end()
        return (try Report.decode(jsonText: Data(Self.object(members))), deployments)
    }

    /// Calls `body` with each event of `evidence.events`, in file order, read one at a time.
    ///
    /// - Throws: ``TransparencyError/malformed(_:)`` for an event that is not one; whatever `body` throws.
    public func forEachEvent(_ body: (EvidenceEvent) throws -> Void) throws {
        if eventsOffset == nil { _ = try head() }
        guard let eventsOffset else { return }
        var scanner = try JSONStreamScanner(handle: handle, offset: eventsOffset)
        try scanner.array { scanner, index in
            try body(try Self.event(&scanner, at: "evidence.events[\(index)]"))
        }
    }

    /// One event, read field by field: the decoder would take several times as long over hundreds of thousands.
    private static func event(_ scanner: inout JSONStreamScanner, at path: String) throws -> EvidenceEvent {
        guard try scanner.peekSignificant() == UInt8(ascii: "{") else { throw wrongType(path) }
        var strings: [String: String] = [:], numbers: [String: Int64] = [:]
        try scanner.object { scanner, key in
            switch key {
            case "position", "version":
                guard let number = Int64(try scanner.scalar()) else { throw wrongType("\(path).\(key)") }
                numbers[key] = number
            case "id", "stream", "type", "data", "metadata", "recorded_at", "prev_hash", "hash":
                guard try scanner.peekSignificant() == 0x22 else { throw wrongType("\(path).\(key)") }
                strings[key] = try scanner.string()
            default:
                try scanner.skip()
            }
        }
        func string(_ key: String) throws -> String {
            guard let value = strings[key] else { throw missing("\(path).\(key)") }
            return value
        }
        func number(_ key: String) throws -> Int64 {
            guard let value = numbers[key] else { throw missing("\(path).\(key)") }
            return value
        }
        return EvidenceEvent(
            position: try number("position"), id: try string("id"), stream: try string("stream"), version: try number("version"),
            type: try string("type"), data: try string("data"), metadata: try string("metadata"),
            recordedAt: try string("recorded_at"), prevHash: try string("prev_hash"), hash: try string("hash"))
    }

    private static func decode<T: Decodable>(_ type: T.Type, from text: [UInt8], at path: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: Data(text))
        } catch let DecodingError.keyNotFound(key, context) {
            throw missing(([path] + (context.codingPath + [key]).map(\.stringValue)).joined(separator: "."))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw wrongType(([path] + context.codingPath.map(\.stringValue)).joined(separator: "."))
        } catch {
            throw JSONStreamScanner.notJSON
        }
    }

    private static func object(_ members: [(String, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (index, (key, text)) in members.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONObjectWriter.appendQuoted(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            bytes += text
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private static func missing(_ path: String) -> TransparencyError {
        TransparencyError.malformed("malformed export: missing '\(path)'")
    }

    private static func wrongType(_ path: String) -> TransparencyError {
        TransparencyError.malformed("malformed export: wrong type at '\(path)'")
    }
}

extension EvidenceEvent {
    init(position: Int64, id: String, stream: String, version: Int64, type: String, data: String, metadata: String,
         recordedAt: String, prevHash: String, hash: String) {
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
}
