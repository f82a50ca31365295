/// Why a report cannot be made as asked, on one line.
public struct ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, to switch on.
    public enum Code: String, Sendable, Hashable {
        case invalid, periodTooLong
    }

    public let code: Code
    public let message: String

    public var description: String { message }

    /// The longest period a report covers: its weekly series has a row a week.
    public static let maximumDays = 3653

    /// What was asked for cannot be made: the message says why.
    public static func invalid(_ message: String) -> ReportError {
        ReportError(code: .invalid, message: message)
    }

    /// The period asked for is longer than ``maximumDays``.
    static func periodTooLong(days: Double) -> ReportError {
        ReportError(code: .periodTooLong, message: "the period spans \(Int(days)) days; a report covers at most \(maximumDays) days (10 years): narrow since/until")
    }
}
