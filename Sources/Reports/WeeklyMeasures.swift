/// The measures over all apps and environments for one week of the period.
public struct WeeklyMeasures: Codable, Sendable, Equatable {
    /// The week's first day (UTC date).
    public var weekStart: String
    public var deployments: Int
    public var changeFailures: Int
    public var changeFailureRate: Double?
    public var leadTimeMedianSeconds: Int64?
}
