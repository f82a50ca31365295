import Ledger

/// A GitHub workflow whose completed runs are verification results: its `workflow_run`
/// deliveries record `VerificationRecorded` for `app` in `environment`, `success` as passed and
/// `failure`, `timed_out` or `startup_failure` as failed. A run that did not finish its suite
/// (`cancelled`, `skipped`, ...) records nothing, so it neither passes nor takes back a gate.
///
/// ```yaml
/// verification:
///   github_workflows:
///     - {workflow: .github/workflows/playwright.yml, name: e2e, app: frontend, environment: staging}
/// ```
public struct VerificationWorkflow: Sendable, Equatable {
    /// How the tag the run verified is read from it.
    public enum TagSource: String, Sendable, Equatable, CaseIterable {
        /// The run's `head_sha`: staging images are tagged with the commit SHA.
        case headSHA = "head_sha"
        /// Its first seven characters, for images tagged with the short SHA.
        case shortSHA = "short_sha"
    }

    /// The workflow's file (`.github/workflows/playwright.yml`, GitHub's `workflow.path`) or its name.
    public var workflow: String
    /// Only runs in this repository (`owner/name`); nil for any the webhook delivers.
    public var repository: String?
    /// The verification's name, as gates name it.
    public var name: String
    public var app: String
    public var environment: String
    public var tag: TagSource

    public init(workflow: String, repository: String? = nil, name: String, app: String, environment: String, tag: TagSource = .headSHA) {
        self.workflow = workflow
        self.repository = repository
        self.name = name
        self.app = app
        self.environment = environment
        self.tag = tag
    }

    /// Whether a run of the workflow at `path` named `name` in `repository` is this one's.
    public func matches(path: String?, name runName: String?, repository runRepository: String) -> Bool {
        if let repository, repository.lowercased() != runRepository.lowercased() { return false }
        return workflow == path || workflow == runName
    }

    /// The outcome a completed run's `conclusion` gives, or nil when the suite did not finish.
    public static func outcome(conclusion: String?) -> VerificationOutcome? {
        switch conclusion {
        case "success": .passed
        case "failure", "timed_out", "startup_failure": .failed
        default: nil
        }
    }

    /// The tag of the image a run at `sha` verified.
    public func tag(sha: String) -> String {
        switch tag {
        case .headSHA: sha
        case .shortSHA: String(sha.prefix(7))
        }
    }
}
