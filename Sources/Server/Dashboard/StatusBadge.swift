import Foundation

/// How an outcome shows on the dashboard: a class that colours it and a label that says it in
/// words, so the status never depends on colour alone.
struct StatusBadge: Sendable {
    /// `succeeded`, `failed`, `rolled_back`, `timed_out`, `in_progress`, or `none`; the CSS class is `s-<key>`.
    let key: String
    let label: String

    /// - Parameter outcome: a deployment's outcome as the ledger records it; nil when nothing was deployed.
    init(outcome: String?) {
        switch outcome {
        case "succeeded": (key, label) = ("succeeded", "✓ succeeded")
        case "failed": (key, label) = ("failed", "✗ failed")
        case "rolled_back": (key, label) = ("rolled_back", "↺ rolled back")
        case "timed_out": (key, label) = ("timed_out", "◷ timed out")
        case "in_progress": (key, label) = ("in_progress", "● in progress")
        case nil: (key, label) = ("none", "nothing deployed")
        case let other?: (key, label) = ("none", other.replacingOccurrences(of: "_", with: " "))
        }
    }
}
