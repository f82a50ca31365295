import Foundation

/// A report as Markdown: the period, the DORA measures, every deployment
/// (those over 15 minutes marked ⚠), and the checkpoint text.
enum MarkdownReport {
    static func render(_ report: Report) -> String {
        var lines = ["# Deployment report", "", summary(report), ""]
        lines += ["## DORA measures", ""]
        lines += table(
            ["app", "environment", "deployments", "per day", "lead time (median)", "change failure rate", "time to restore (median)"],
            report.dora.map { m in
                [m.app, m.environment, String(m.deployments), Cells.number(m.deploymentsPerDay),
                 Cells.seconds(m.leadTimeMedianSeconds), m.changeFailureRate.map { "\(Cells.rate($0)) (\(m.changeFailures) of \(m.finished))" } ?? "",
                 Cells.seconds(m.timeToRestoreMedianSeconds)]
            })
        lines += ["", "## Deployments", ""]
        let slow = report.deployments.filter(\.overFifteenMinutes).count
        lines += ["\(report.deployments.count) deployments; \(slow) took longer than 15 minutes (marked ⚠).", ""]
        lines += table(
            ["started", "app", "environment", "tag", "trigger", "actor", "via", "duration", "outcome", "failure", "rolled back to", "workflow run"],
            report.deployments.map { d in
                [d.startedAt, d.app, d.environment, d.tag, d.trigger, d.actor ?? "", d.via ?? "",
                 Cells.duration(d.durationMs) + (d.overFifteenMinutes ? " ⚠" : ""), d.outcome, Cells.failure(d),
                 d.rolledBackTo ?? "", d.source ?? ""]
            })
        lines += ["", "## Checkpoint", "",
                  "Tree size \(report.checkpoint.treeSize), root hash `\(report.checkpoint.rootHash)`\(report.checkpoint.signed ? ", signed" : ", not signed"):",
                  "", "```", report.checkpoint.note.hasSuffix("\n") ? String(report.checkpoint.note.dropLast()) : report.checkpoint.note, "```", ""]
        return lines.joined(separator: "\n")
    }

    static func summary(_ report: Report) -> String {
        var text = "Generated \(report.generatedAt) for \(report.period.start) to \(report.period.end) (\(Cells.number(report.period.days)) days)"
        if let app = report.period.app { text += ", app \(app)" }
        if let environment = report.period.environment { text += ", environment \(environment)" }
        return text + "."
    }

    private static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }.joined(separator: " | ") + " |"
        }
        return [line(header), "|" + header.map { _ in "---|" }.joined()] + rows.map(line)
    }
}
