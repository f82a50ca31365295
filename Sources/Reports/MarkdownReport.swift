import Foundation
import Ledger

/// A report as Markdown: the period, the DORA measures, every deployment
/// (those over 15 minutes marked ⚠), and the checkpoint text.
enum MarkdownReport {
    static func write(_ report: Report, to output: ReportOutput) throws {
        var lines = Lines(output: output)
        try lines.write(["# Deployment report", "", summary(report), ""])
        try lines.write(["## DORA measures", ""])
        try lines.table(
            ["app", "environment", "deployments", "per day", "lead time (median)", "change failure rate", "time to restore (median)"],
            report.dora.lazy.map { (m: DORAMeasures) -> [String] in
                [m.app, m.environment, String(m.deployments), Cells.number(m.deploymentsPerDay),
                 Cells.seconds(m.leadTimeMedianSeconds), m.changeFailureRate.map { "\(Cells.rate($0)) (\(m.changeFailures) of \(m.finished))" } ?? "",
                 Cells.seconds(m.timeToRestoreMedianSeconds)]
            })
        try lines.write(["", "## Deployments", ""])
        let slow = report.deployments.filter(\.overFifteenMinutes).count
        try lines.write(["\(report.deployments.count) deployments; \(slow) took longer than 15 minutes (marked ⚠).", ""])
        try lines.table(
            ["started", "app", "environment", "tag", "trigger", "actor", "via", "duration", "outcome", "failure", "rolled back to", "workflow run"],
            report.deployments.lazy.map { (d: ReportDeployment) -> [String] in
                [d.startedAt, d.app, d.environment, d.tag, d.trigger, d.actor ?? "", d.via ?? "",
                 Cells.duration(d.durationMs) + (d.overFifteenMinutes ? " ⚠" : ""), d.outcome.rawValue, Cells.failure(d),
                 d.rolledBackTo ?? "", d.source ?? ""]
            })
        try lines.write(["", "## Checkpoint", "",
                         "Tree size \(report.checkpoint.treeSize), root hash `\(report.checkpoint.rootHash)`\(report.checkpoint.signed ? ", signed" : ", not signed"):",
                         "", "```", report.checkpoint.note.hasSuffix("\n") ? String(report.checkpoint.note.dropLast()) : report.checkpoint.note, "```", ""])
        try output.flush()
    }

    static func summary(_ report: Report) -> String {
        var text = "Generated \(report.generatedAt) for \(report.period.start) to \(report.period.end) (\(Cells.number(report.period.days)) days)"
        if let app = report.period.app { text += ", app \(app)" }
        if let environment = report.period.environment { text += ", environment \(environment)" }
        return text + "."
    }

    /// Lines separated by line breaks (none after the last), written as they come.
    private struct Lines {
        let output: ReportOutput
        private var first = true

        init(output: ReportOutput) {
            self.output = output
        }

        mutating func write(_ lines: [String]) throws {
            for line in lines {
                if !first { output.write("\n") }
                first = false
                output.write(line)
                try output.flushIfFull()
            }
        }

        mutating func table(_ header: [String], _ rows: some Sequence<[String]>) throws {
            func line(_ cells: [String]) -> String {
                "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }.joined(separator: " | ") + " |"
            }
            try write([line(header), "|" + header.map { _ in "---|" }.joined()])
            for row in rows { try write([line(row)]) }
        }
    }
}
