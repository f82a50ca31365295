/// Where a deployment attempt stands in the ledger: the `outcome` of the deployment history (the
/// API's and the reports'), and an environment's `last_outcome`.
public enum DeploymentOutcome: String, Codable, CaseIterable, Sendable {
    /// Requested, and not yet stable, failed, timed out or rolled back.
    case inProgress = "in_progress"
    case succeeded
    case failed
    case timedOut = "timed_out"
    /// ECS's circuit breaker put the service back on an earlier revision.
    case rolledBack = "rolled_back"

    /// Finished without the new revision running: what DORA counts as a failed change.
    public var isFailure: Bool { self == .failed || self == .timedOut || self == .rolledBack }
}
