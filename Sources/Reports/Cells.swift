/// Cell texts shared by the table forms.
enum Cells {
    static func duration(_ milliseconds: Int64?) -> String {
        guard let milliseconds else { return "" }
        let seconds = milliseconds / 1000
        return seconds >= 60 ? "\(seconds / 60)m\(pad(seconds % 60))s" : "\(seconds).\(milliseconds % 1000 / 100)s"
    }

    static func seconds(_ value: Int64?) -> String {
        guard let value else { return "" }
        if value >= 86_400 { return "\(value / 86_400)d\(pad(value % 86_400 / 3600))h" }
        if value >= 3600 { return "\(value / 3600)h\(pad(value % 3600 / 60))m" }
        return duration(value * 1000)
    }

    static func rate(_ value: Double?) -> String {
        guard let value else { return "" }
        return "\(Int((value * 100).rounded()))%"
    }

    static func number(_ value: Double) -> String {
        let text = String(value)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    static func failure(_ deployment: ReportDeployment) -> String {
        deployment.failureStage.map { "\($0): \(deployment.failureReason ?? "")" } ?? ""
    }

    private static func pad(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
