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

/// What came of one audited action.
public enum AuditOutcome: String, Codable, CaseIterable, Sendable {
    case allowed
    /// Refused for want of a permission: an `AccessDenied`.
    case denied
    /// Done, and did not do its job (a build or a workflow run that failed).
    case failed
}

extension RawRepresentable where RawValue == String {
    /// The value a projection's `column` holds as `text`.
    ///
    /// Only the projections write these columns, from the enum's own raw values; anything else
    /// means the file was changed under the ledger, which a rebuild from the log repairs.
    /// - Throws: ``LedgerError/storage(_:code:)`` naming the table, the column and the text.
    static func stored(_ text: String, column: String) throws -> Self {
        guard let value = Self(rawValue: text) else {
            throw LedgerError.storage("\(column) holds '\(text)', which is not a known value; `shiplog rebuild` recomputes it from the log")
        }
        return value
    }
}
