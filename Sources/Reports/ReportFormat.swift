import Ledger

/// The forms a report is written in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case csv, json, markdown, html

    /// Whether the form carries the events (only JSON, which `audit-verify` reads).
    public var carriesEvents: Bool { self == .json }

    /// Makes the report of `request` and writes it to `output` in this form as the
    /// ledger is read: the events go out one at a time, never all in memory
    /// (the forms without events skip them whatever `request.includesEvents` says).
    ///
    /// - Throws: ``ReportError`` or ``TransparencyError`` before anything is written
    ///   when the report cannot be made as asked; whatever `output` throws.
    public func write(_ request: ReportRequest, from store: EventStore, to output: ReportOutput) throws {
        try ReportBuilder.read(request, from: store) { report, events in
            try write(report, events: events, to: output)
        }
    }

    /// Renders `report` in this form, as UTF-8 bytes (what a file or an HTTP body takes).
    public func renderBytes(_ report: Report) throws -> [UInt8] {
        try ReportOutput.collecting { output in
            try write(report, events: { visit in for event in report.evidence.events { try visit(event) } }, to: output)
        }
    }

    /// Renders `report` in this form.
    public func render(_ report: Report) throws -> String {
        String(decoding: try renderBytes(report), as: UTF8.self)
    }

    func write(_ report: Report, events: EvidenceEvents, to output: ReportOutput) throws {
        switch self {
        case .json: try report.writeJSON(to: output, events: events)
        case .csv: try CSVReport.write(report, to: output)
        case .markdown: try MarkdownReport.write(report, to: output)
        case .html: try HTMLReport.write(report, to: output)
        }
    }
}
