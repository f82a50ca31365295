/// The forms a report is written in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case csv, json, markdown, html

    /// Whether the form carries the events (only JSON, which `audit-verify` reads).
    public var carriesEvents: Bool { self == .json }

    /// Renders `report` in this form, as UTF-8 bytes (what a file or an HTTP body takes).
    public func renderBytes(_ report: Report) throws -> [UInt8] {
        self == .json ? report.jsonBytes() : Array(try render(report).utf8)
    }

    /// Renders `report` in this form.
    public func render(_ report: Report) throws -> String {
        switch self {
        case .json: report.jsonText()
        case .csv: CSVReport.render(report)
        case .markdown: MarkdownReport.render(report)
        case .html: HTMLReport.render(report)
        }
    }
}
