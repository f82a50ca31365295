import Foundation
import Ledger

/// A report of the deployments over a period: every deployment, the DORA
/// measures per app and environment, the checkpoint it was made at, and
/// (in the JSON form) the events it covers, for ``AuditVerifier``.
///
/// The same value renders as JSON (``jsonText()``), CSV, Markdown and HTML;
/// `GET /api/v1/reports` is meant to return ``jsonText()``.
public struct Report: Codable, Sendable, Equatable {
    /// The value of ``schema`` this code writes and reads.
    public static let currentSchema = "shiplog.report/1"

    public var schema: String
    /// When the report was made (UTC ISO 8601).
    public var generatedAt: String
    public var period: Period
    public var checkpoint: EmbeddedCheckpoint
    /// In log order (by the position of each deployment's request).
    public var deployments: [ReportDeployment]
    /// One entry per app and environment, sorted by app then environment.
    public var dora: [DORAMeasures]
    /// The measures over all apps and environments, week by week from the period's start.
    public var doraByWeek: [WeeklyMeasures]
    /// The events the deployments come from, with what ties them to the signed root.
    public var evidence: Evidence

    public struct Period: Codable, Sendable, Equatable {
        /// Inclusive lower bound on a deployment's start, as given.
        public var since: String?
        /// Exclusive upper bound on a deployment's start, as given.
        public var until: String?
        public var app: String?
        public var environment: String?
        /// The span the frequency is measured over.
        public var start: String
        public var end: String
        public var days: Double
    }

    /// The checkpoint the report was made at: a signed note when a key signed it.
    public struct EmbeddedCheckpoint: Codable, Sendable, Equatable {
        public var origin: String
        public var treeSize: UInt64
        /// Hex.
        public var rootHash: String
        /// The checkpoint text in the C2SP tlog-checkpoint format, with its signature lines if signed.
        public var note: String
        public var signed: Bool
    }

    /// The events from `firstPosition` to the checkpoint's tree size, and the
    /// right edge of the tree before them: hashing the events onto that edge
    /// must give the checkpoint's root.
    public struct Evidence: Codable, Sendable, Equatable {
        public var firstPosition: Int64
        /// Hex hashes of the complete subtrees of the tree of `firstPosition - 1` events, largest first.
        public var prefix: [String]
        public var events: [EvidenceEvent]
        /// A consistency proof from an older checkpoint the auditor holds, when asked for at export.
        public var consistency: EmbeddedConsistency?
    }

    public struct EmbeddedConsistency: Codable, Sendable, Equatable {
        public var oldSize: UInt64
        /// Hex hashes, as RFC 6962 PROOF(old, new) orders them.
        public var proof: [String]
    }

    /// The report as JSON: keys sorted, snake_case, indented; the evidence's
    /// events one compact object a line.
    public func jsonText() -> String {
        String(decoding: jsonBytes(), as: UTF8.self)
    }

    /// ``jsonText()`` as UTF-8 bytes, without the copy into a `String`.
    public func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // A full export holds every deployment and every event since the first:
        // hundreds of thousands of rows. They are written by hand, as bytes, one
        // compact object a line; JSONEncoder writes the rest.
        var shell = self
        shell.deployments = []
        shell.evidence.events = []
        // Plain structs of strings and numbers: encoding cannot fail.
        var text = String(decoding: (try? encoder.encode(shell)) ?? Data(), as: UTF8.self)
        text += "\n"
        var bytes: [UInt8] = []
        // Reserved up front: growing a buffer of hundreds of megabytes copies it each time.
        let eventBytes = evidence.events.reduce(0) { $0 + $1.data.utf8.count + $1.metadata.utf8.count + $1.stream.utf8.count + 320 }
        bytes.reserveCapacity(text.utf8.count + deployments.count * 720 + eventBytes * 11 / 10)
        var rest = text[...]
        for (key, indent, rows) in [("deployments", "    ", deployments.count), ("events", "      ", evidence.events.count)] {
            guard let empty = rest.range(of: #""\#(key)" : \[\s*\]"#, options: .regularExpression) else { continue }
            bytes += rest[..<empty.lowerBound].utf8
            bytes += "\"\(key)\" : [".utf8
            for index in 0..<rows {
                bytes += (index == 0 ? "\n" : ",\n").utf8
                bytes += indent.utf8
                if key == "events" { evidence.events[index].appendJSON(to: &bytes) } else { deployments[index].appendJSON(to: &bytes) }
            }
            bytes += (rows == 0 ? "]" : "\n" + indent.dropLast(2) + "]").utf8
            rest = rest[empty.upperBound...]
        }
        bytes += rest.utf8
        return bytes
    }

    /// Reads a JSON report.
    ///
    /// - Throws: ``TransparencyError/malformed(_:)`` naming what is wrong.
    public static func decode(jsonText: Data) throws -> Report {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report: Report
        do {
            report = try decoder.decode(Report.self, from: jsonText)
        } catch let DecodingError.keyNotFound(key, context) {
            throw TransparencyError.malformed("malformed export: missing '\(path(context.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw TransparencyError.malformed("malformed export: wrong type at '\(path(context.codingPath))'")
        } catch {
            throw TransparencyError.malformed("malformed export: not a JSON report")
        }
        guard report.schema == currentSchema else {
            throw TransparencyError.malformed("malformed export: schema '\(report.schema)', expected '\(currentSchema)'")
        }
        return report
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// One deployment as a report lists it.
public struct ReportDeployment: Codable, Sendable, Equatable {
    public var id: String
    public var app: String
    public var environment: String
    public var tag: String
    public var trigger: String
    /// The person who counts.
    public var actor: String?
    /// The bot that acted for `actor`, if one did.
    public var via: String?
    public var startedAt: String
    public var endedAt: String?
    public var durationMs: Int64?
    /// Longer than the 15 minutes the deployment document says is normal.
    public var overFifteenMinutes: Bool
    /// in_progress, succeeded, failed, timed_out, rolled_back.
    public var outcome: String
    public var failureStage: String?
    public var failureReason: String?
    public var rolledBackTo: String?
    /// The workflow run URL from the metadata.
    public var source: String?
    public var commit: String?
    public var committedAt: String?
    /// The position of the deployment's request in the log.
    public var position: Int64

    /// Appends the deployment as one JSON object, keys sorted, absent values left out, as the encoder writes them.
    func appendJSON(to bytes: inout [UInt8]) {
        var object = JSONObjectWriter(bytes: &bytes)
        object.string("actor", actor)
        object.string("app", app)
        object.string("commit", commit)
        object.string("committed_at", committedAt)
        object.number("duration_ms", durationMs)
        object.string("ended_at", endedAt)
        object.string("environment", environment)
        object.string("failure_reason", failureReason)
        object.string("failure_stage", failureStage)
        object.string("id", id)
        object.string("outcome", outcome)
        object.literal("over_fifteen_minutes", overFifteenMinutes ? "true" : "false")
        object.number("position", position)
        object.string("rolled_back_to", rolledBackTo)
        object.string("source", source)
        object.string("started_at", startedAt)
        object.string("tag", tag)
        object.string("trigger", trigger)
        object.string("via", via)
        object.close(into: &bytes)
    }

    /// The limit the seed document sets: "If it takes longer than 15 then something is probably wrong."
    public static let fifteenMinutesMs: Int64 = 15 * 60 * 1000

    public init(_ record: DeploymentRecord) {
        id = record.id
        app = record.app
        environment = record.environment
        tag = record.tag
        trigger = record.trigger
        actor = record.actor
        via = record.via
        startedAt = record.startedAt
        endedAt = record.endedAt
        // Exact, from the timestamps: the projection's own figure goes through floating-point julian days.
        durationMs = record.endedAt.flatMap { ExactTime.milliseconds(from: record.startedAt, to: $0) }
        overFifteenMinutes = (durationMs ?? 0) > Self.fifteenMinutesMs
        outcome = record.outcome
        failureStage = record.failureStage
        failureReason = record.failureReason
        rolledBackTo = record.rolledBackTo
        source = record.source
        commit = record.commit
        committedAt = record.committedAt
        position = record.position
    }
}

/// An event as a report carries it: data and metadata as the exact text the
/// hash covers, hashes in hex.
public struct EvidenceEvent: Codable, Sendable, Equatable {
    public var position: Int64
    public var id: String
    public var stream: String
    public var version: Int64
    public var type: String
    public var data: String
    public var metadata: String
    public var recordedAt: String
    public var prevHash: String
    public var hash: String

    public init(_ event: RecordedEvent) {
        position = event.position
        id = event.id
        stream = event.stream
        version = event.version
        type = event.type
        data = event.data
        metadata = event.metadata
        recordedAt = event.recordedAt
        prevHash = event.prevHash.hexString
        hash = event.hash.hexString
    }

    /// Appends the event as one JSON object, keys sorted as the encoder sorts them.
    func appendJSON(to bytes: inout [UInt8]) {
        var object = JSONObjectWriter(bytes: &bytes)
        object.string("data", data)
        object.string("hash", hash)
        object.string("id", id)
        object.string("metadata", metadata)
        object.number("position", position)
        object.string("prev_hash", prevHash)
        object.string("recorded_at", recordedAt)
        object.string("stream", stream)
        object.string("type", type)
        object.number("version", version)
        object.close(into: &bytes)
    }

    /// The event as the ledger types it; `nil` when a hash is not hex.
    public var recorded: RecordedEvent? {
        guard let prevHash = [UInt8](hex: prevHash), let hash = [UInt8](hex: hash) else { return nil }
        return RecordedEvent(position: position, id: id, stream: stream, version: version, type: type, data: data,
                             metadata: metadata, recordedAt: recordedAt, prevHash: prevHash, hash: hash)
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

/// Writes one compact JSON object into a byte buffer: the fields in the order
/// given, absent ones left out.
///
/// It borrows the caller's buffer (swapped in, swapped back by ``close(into:)``),
/// so no bytes are copied.
struct JSONObjectWriter: ~Copyable {
    private var buffer: [UInt8] = []
    private var first = true

    init(bytes: inout [UInt8]) {
        swap(&buffer, &bytes)
        buffer.append(UInt8(ascii: "{"))
    }

    mutating func string(_ key: String, _ value: String?) {
        guard let value else { return }
        self.key(key)
        Self.appendQuoted(value, to: &buffer)
    }

    mutating func number(_ key: String, _ value: Int64?) {
        guard let value else { return }
        self.key(key)
        buffer += String(value).utf8
    }

    mutating func literal(_ key: String, _ value: String) {
        self.key(key)
        buffer += value.utf8
    }

    consuming func close(into bytes: inout [UInt8]) {
        buffer.append(UInt8(ascii: "}"))
        swap(&buffer, &bytes)
    }

    private mutating func key(_ key: String) {
        if !first { buffer.append(UInt8(ascii: ",")) }
        first = false
        Self.appendQuoted(key, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped;
    /// runs of plain bytes are copied at once.
    static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(0x22)
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                switch byte {
                case 0x22: bytes += [0x5C, 0x22]
                case 0x5C: bytes += [0x5C, 0x5C]
                case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
                case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
                case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
                default: bytes += String(format: "\\u%04x", byte).utf8
                }
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(0x22)
    }
}
