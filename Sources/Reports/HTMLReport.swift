import Ledger

/// A report as one self-contained HTML file: inline CSS, three inline SVG
/// charts (deployments per day by outcome, the distribution of durations, the
/// DORA measures week by week), the tables, and the checkpoint. No scripts,
/// no external resources.
enum HTMLReport {
    static func write(_ report: Report, to output: ReportOutput) throws {
        // The page up to its first heading, with its style sheet: Templates/report-head.html.
        output.write(EmbeddedResources.reportHeadHtml + "\n")
        output.write("<p>\(escape(MarkdownReport.summary(report)))</p>\n")
        output.write("<section id=\"charts\">\n")
        output.write(figure("Deployments per day, by outcome", SVGCharts.deploymentsPerDay(report)))
        output.write(figure("Deployment durations", SVGCharts.durations(report)))
        output.write(figure("DORA measures by week: deployments (bars), change failure rate (line)", SVGCharts.weekly(report)))
        output.write("</section>\n<h2>DORA measures</h2>\n")
        try table(
            output,
            ["app", "environment", "deployments", "per day", "lead time (median)", "change failure rate", "time to restore (median)"],
            report.dora.lazy.map { (m: DORAMeasures) -> ([String], Bool) in
                ([m.app, m.environment, String(m.deployments), Cells.number(m.deploymentsPerDay), Cells.seconds(m.leadTimeMedianSeconds),
                  m.changeFailureRate.map { "\(Cells.rate($0)) (\(m.changeFailures) of \(m.finished))" } ?? "",
                  Cells.seconds(m.timeToRestoreMedianSeconds)], false)
            })
        let slow = report.deployments.filter(\.overFifteenMinutes).count
        output.write("<h2>Deployments</h2>\n<p>\(report.deployments.count) deployments; \(slow) took longer than 15 minutes (highlighted, marked ⚠).</p>\n")
        try table(
            output,
            ["started", "app", "environment", "tag", "trigger", "actor", "via", "duration", "outcome", "failure", "rolled back to", "workflow run"],
            report.deployments.lazy.map { (d: ReportDeployment) -> ([String], Bool) in
                ([d.startedAt, d.app, d.environment, d.tag, d.trigger, d.actor ?? "", d.via ?? "",
                  Cells.duration(d.durationMs) + (d.overFifteenMinutes ? " ⚠" : ""), d.outcome.rawValue, Cells.failure(d),
                  d.rolledBackTo ?? "", d.source ?? ""], d.overFifteenMinutes)
            })
        output.write("<h2>Checkpoint</h2>\n<p>Tree size \(report.checkpoint.treeSize), root hash <code>\(report.checkpoint.rootHash)</code>")
        output.write(report.checkpoint.signed ? ", signed.</p>\n" : ", not signed.</p>\n")
        output.write("<pre id=\"checkpoint\">\(escape(report.checkpoint.note))</pre>\n</body>\n</html>\n")
        try output.flush()
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func figure(_ caption: String, _ svg: String) -> String {
        "<figure>\n<figcaption>\(escape(caption))</figcaption>\n\(svg)</figure>\n"
    }

    private static func table(_ output: ReportOutput, _ header: [String], _ rows: some Sequence<([String], Bool)>) throws {
        output.write("<table>\n<tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n")
        for (cells, highlighted) in rows {
            output.write((highlighted ? "<tr class=\"slow\">" : "<tr>") + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n")
            try output.flushIfFull()
        }
        output.write("</table>\n")
    }
}
