import Foundation
import Ledger

/// A report of the deployments over a period: every deployment, the DORA
/// measures per app and environment, the checkpoint it was made at, and
/// (in the JSON form) the events it covers, for ``AuditVerifier``.
///
/// The same value renders as JSON (``jsonText()``), CSV, Markdown and HTML.
/// Exports do not hold the events: ``ReportFormat/write(_:from:to:)`` writes
/// them from the ledger as it reads them, and ``ExportReader`` reads them back
/// one at a time.
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
        ReportOutput.collecting { output in
            // Collecting never fails, and the events come from memory.
            try? writeJSON(to: output) { visit in
                for event in evidence.events { try visit(event) }
            }
        }
    }

    /// Writes the report as ``jsonText()`` does, with the events `events` hands
    /// over (in place of ``Evidence/events``) written as they come.
    ///
    /// - Parameter events: calls its argument with each event, in log order.
    func writeJSON(to output: ReportOutput, events: EvidenceEvents) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // A full export holds every deployment and every event since the first:
        // hundreds of thousands of rows. They are written by hand, as bytes, one
        // compact object a line, a chunk at a time; JSONEncoder writes the rest.
        var shell = self
        shell.deployments = []
        shell.evidence.events = []
        // Plain structs of strings and numbers: encoding cannot fail.
        var text = String(decoding: (try? encoder.encode(shell)) ?? Data(), as: UTF8.self)
        text += "\n"
        var rest = text[...]
        for key in ["deployments", "events"] {
            guard let empty = rest.range(of: #""\#(key)" : \[\s*\]"#, options: .regularExpression) else { continue }
            output.write(rest[..<empty.lowerBound].utf8)
            output.write("\"\(key)\" : [")
            let indent = key == "events" ? "      " : "    "
            var rows = 0
            func row(_ append: (inout [UInt8]) -> Void) throws {
                output.write(rows == 0 ? "\n" : ",\n")
                output.write(indent)
                append(&output.buffer)
                rows += 1
                try output.flushIfFull()
            }
            if key == "events" {
                try events { event in try row(event.appendJSON) }
            } else {
                for deployment in deployments { try row(deployment.appendJSON) }
            }
            output.write(rows == 0 ? "]" : "\n" + indent.dropLast(2) + "]")
            rest = rest[empty.upperBound...]
        }
        output.write(rest.utf8)
        try output.flush()
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

/// Hands each event of a report's evidence, in log order, to the closure it is given.
public typealias EvidenceEvents = ((EvidenceEvent) throws -> Void) throws -> Void
