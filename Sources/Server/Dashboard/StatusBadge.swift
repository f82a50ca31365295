import Ledger

/// How an outcome shows on the dashboard: a class that colours it and a label that says it in
/// words, so the status never depends on colour alone.
struct StatusBadge: Sendable {
    /// `succeeded`, `failed`, `rolled_back`, `timed_out`, `in_progress`, or `none`; the CSS class is `s-<key>`.
    let key: String
    let label: String

    /// - Parameter outcome: a deployment's outcome as the ledger records it; nil when nothing was deployed.
    init(outcome: DeploymentOutcome?) {
        switch outcome {
        case .succeeded: label = "✓ succeeded"
        case .failed: label = "✗ failed"
        case .rolledBack: label = "↺ rolled back"
        case .timedOut: label = "◷ timed out"
        case .inProgress: label = "● in progress"
        case nil: label = "nothing deployed"
        }
        key = outcome?.rawValue ?? "none"
    }
}
