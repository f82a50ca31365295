import Ledger

/// The report's charts as inline SVG, drawn from the report alone.
enum SVGCharts {
    /// In the order the charts stack them: finished ones first, what still runs on top.
    static let outcomes: [DeploymentOutcome] = [.succeeded, .failed, .timedOut, .rolledBack, .inProgress]
    static let colors: [DeploymentOutcome: String] = [
        .succeeded: "#2e8b57", .failed: "#c0392b", .timedOut: "#e67e22", .rolledBack: "#8e44ad", .inProgress: "#7f8c8d",
    ]

    static let width = 640.0, height = 240.0, left = 40.0, bottom = 40.0, top = 10.0, right = 40.0

    /// Stacked bars: one per day of the period, split by outcome.
    static func deploymentsPerDay(_ report: Report) -> String {
        let day: Int64 = 86_400 * 1_000_000
        let start = ExactTime.microseconds(report.period.start).map { $0 - $0 % day } ?? 0
        let end = ExactTime.microseconds(report.period.end) ?? start
        let days = max(1, Int((end - start + day - 1) / day))
        var counts = Array(repeating: [DeploymentOutcome: Int](), count: days)
        for deployment in report.deployments {
            guard let started = ExactTime.microseconds(deployment.startedAt) else { continue }
            let index = min(max(Int((started - start) / day), 0), days - 1)
            counts[index][deployment.outcome, default: 0] += 1
        }
        let maximum = max(1, counts.map { $0.values.reduce(0, +) }.max() ?? 1)
        var svg = open("deployments-per-day", "Deployments per day by outcome")
        svg += axes(maximum: Double(maximum), label: "deployments")
        let slot = (width - left - right) / Double(days)
        for (index, dayCounts) in counts.enumerated() {
            var y = height - bottom
            for outcome in outcomes {
                guard let count = dayCounts[outcome], count > 0 else { continue }
                let barHeight = Double(count) / Double(maximum) * (height - top - bottom)
                y -= barHeight
                svg += rect(x: left + Double(index) * slot + slot * 0.1, y: y, width: slot * 0.8, height: barHeight,
                            fill: colors[outcome] ?? "#000", title: "\(ReportClock.text(microseconds: start + Int64(index) * day).prefix(10)): \(count) \(outcome.rawValue)")
            }
        }
        svg += text(x: left, y: height - bottom + 16, String(report.period.start.prefix(10)), anchor: "start")
        svg += text(x: width - right, y: height - bottom + 16, String(report.period.end.prefix(10)), anchor: "end")
        svg += legend(outcomes.filter { outcome in report.deployments.contains { $0.outcome == outcome } })
        return svg + "</svg>\n"
    }

    /// A histogram of the finished deployments' durations; the last buckets are past the 15-minute mark.
    static func durations(_ report: Report) -> String {
        let buckets: [(label: String, upTo: Int64)] = [
            ("<2m", 2), ("2–5m", 5), ("5–10m", 10), ("10–15m", 15), ("15–30m", 30), (">30m", .max),
        ]
        var counts = Array(repeating: 0, count: buckets.count)
        for deployment in report.deployments {
            guard let milliseconds = deployment.durationMs else { continue }
            let index = buckets.firstIndex { milliseconds <= $0.upTo * 60_000 } ?? buckets.count - 1
            counts[index] += 1
        }
        let maximum = max(1, counts.max() ?? 1)
        var svg = open("durations", "Distribution of deployment durations")
        svg += axes(maximum: Double(maximum), label: "deployments")
        let slot = (width - left - right) / Double(buckets.count)
        for (index, bucket) in buckets.enumerated() {
            let barHeight = Double(counts[index]) / Double(maximum) * (height - top - bottom)
            svg += rect(x: left + Double(index) * slot + slot * 0.1, y: height - bottom - barHeight, width: slot * 0.8, height: barHeight,
                        fill: index >= 4 ? "#c0392b" : "#2e6da4", title: "\(bucket.label): \(counts[index])")
            svg += text(x: left + (Double(index) + 0.5) * slot, y: height - bottom + 16, bucket.label, anchor: "middle")
        }
        return svg + "</svg>\n"
    }

    /// Bars of deployments per week, and a line of the change failure rate (right axis, 0–100%).
    static func weekly(_ report: Report) -> String {
        let weeks = report.doraByWeek
        let maximum = max(1, weeks.map(\.deployments).max() ?? 1)
        var svg = open("dora-by-week", "DORA measures by week")
        svg += axes(maximum: Double(maximum), label: "deployments")
        svg += text(x: width - right + 4, y: top + 4, "100%", anchor: "start")
        svg += text(x: width - right + 4, y: height - bottom, "0%", anchor: "start")
        let slot = (width - left - right) / Double(max(weeks.count, 1))
        var points: [String] = []
        for (index, week) in weeks.enumerated() {
            let barHeight = Double(week.deployments) / Double(maximum) * (height - top - bottom)
            svg += rect(x: left + Double(index) * slot + slot * 0.15, y: height - bottom - barHeight, width: slot * 0.7, height: barHeight,
                        fill: "#9db8d9", title: "week of \(week.weekStart): \(week.deployments) deployments, change failure rate \(Cells.rate(week.changeFailureRate)), lead time \(Cells.seconds(week.leadTimeMedianSeconds))")
            if let rate = week.changeFailureRate {
                points.append("\(format(left + (Double(index) + 0.5) * slot)),\(format(height - bottom - rate * (height - top - bottom)))")
            }
        }
        if !points.isEmpty {
            svg += "<polyline class=\"change-failure-rate\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
        }
        if let first = weeks.first, let last = weeks.last {
            svg += text(x: left, y: height - bottom + 16, first.weekStart, anchor: "start")
            svg += text(x: width - right, y: height - bottom + 16, last.weekStart, anchor: "end")
        }
        return svg + "</svg>\n"
    }

    // MARK: Drawing

    private static func open(_ id: String, _ title: String) -> String {
        "<svg id=\"chart-\(id)\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(title)\">\n<title>\(title)</title>\n"
    }

    private static func axes(maximum: Double, label: String) -> String {
        "<line x1=\"\(format(left))\" y1=\"\(format(top))\" x2=\"\(format(left))\" y2=\"\(format(height - bottom))\" stroke=\"#555\"/>\n"
            + "<line x1=\"\(format(left))\" y1=\"\(format(height - bottom))\" x2=\"\(format(width - right))\" y2=\"\(format(height - bottom))\" stroke=\"#555\"/>\n"
            + text(x: left - 4, y: top + 4, Cells.number(maximum), anchor: "end")
            + text(x: left - 4, y: height - bottom, "0", anchor: "end")
            + text(x: 12, y: (height - bottom + top) / 2, label, anchor: "middle", rotate: true)
    }

    private static func legend(_ outcomes: [DeploymentOutcome]) -> String {
        var svg = ""
        for (index, outcome) in outcomes.enumerated() {
            let x = left + Double(index) * 110
            svg += "<rect x=\"\(format(x))\" y=\"\(format(height - 14))\" width=\"10\" height=\"10\" fill=\"\(colors[outcome] ?? "#000")\"/>\n"
            svg += text(x: x + 14, y: height - 5, outcome.rawValue, anchor: "start")
        }
        return svg
    }

    private static func rect(x: Double, y: Double, width: Double, height: Double, fill: String, title: String) -> String {
        "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(width))\" height=\"\(format(height))\" fill=\"\(fill)\"><title>\(HTMLReport.escape(title))</title></rect>\n"
    }

    private static func text(x: Double, y: Double, _ content: String, anchor: String, rotate: Bool = false) -> String {
        let transform = rotate ? " transform=\"rotate(-90 \(format(x)) \(format(y)))\"" : ""
        return "<text x=\"\(format(x))\" y=\"\(format(y))\" text-anchor=\"\(anchor)\"\(transform)>\(HTMLReport.escape(content))</text>\n"
    }

    /// Two decimals at most, so the output is stable across platforms.
    private static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        return fraction == 0 ? "\(sign)\(magnitude / 100)" : "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction % 10 == 0 ? String(fraction / 10) : String(fraction))"
    }
}
