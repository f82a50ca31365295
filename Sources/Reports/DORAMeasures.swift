import Ledger

/// The four DORA measures for one app in one environment over a period.
///
/// - Deployment frequency: deployments started in the period per day.
/// - Lead time for changes: from the commit's time (metadata `committed_at`)
///   to the deployment being stable, median over succeeded deployments that
///   carry a commit time.
/// - Change failure rate: failed deployments over all finished deployments
///   (in-progress ones are not counted yet). A deployment fails when it ended
///   failed, timed out or rolled back by ECS, or when a later rollback
///   deployment (trigger `rollback`) replaced it by hand.
/// - Time to restore (production only): from a failure — the end of a failed
///   deployment, or the start of the rollback that replaced one — to the end
///   of the next succeeded deployment; consecutive failures are one incident
///   that starts at the first. Median over incidents restored in the period.
public struct DORAMeasures: Codable, Sendable, Equatable {
    public var app: String
    public var environment: String
    public var deployments: Int
    public var deploymentsPerDay: Double
    public var leadTimeSamples: Int
    public var leadTimeMedianSeconds: Int64?
    public var finished: Int
    public var changeFailures: Int
    /// `changeFailures / finished`, to three decimals; absent when nothing finished.
    public var changeFailureRate: Double?
    public var restores: Int
    public var timeToRestoreMedianSeconds: Int64?
}
