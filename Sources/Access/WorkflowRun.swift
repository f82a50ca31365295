import Foundation

/// A GitHub Actions workflow run as its verified ID token describes it: what shiplog records of
/// who appended under that token, in place of whatever the request body says.
public struct WorkflowRun: Sendable, Equatable {
    public var repository: String
    public var repositoryOwner: String
    public var ref: String
    public var sha: String
    /// `OWNER/REPO/.github/workflows/FILE@REF`: the workflow file that ran.
    public var workflowRef: String
    public var jobWorkflowRef: String?
    public var runId: String
    public var runAttempt: String
    /// The GitHub login whose push, merge or click started the run.
    public var actor: String
    /// The deployment environment the job ran in, when it names one.
    public var environment: String?
    public var eventName: String
    /// Where the run is on GitHub, with its attempt.
    public var url: String

    public init(
        repository: String, repositoryOwner: String, ref: String, sha: String, workflowRef: String, jobWorkflowRef: String?,
        runId: String, runAttempt: String, actor: String, environment: String?, eventName: String, serverURL: String
    ) {
        self.repository = repository
        self.repositoryOwner = repositoryOwner
        self.ref = ref
        self.sha = sha
        self.workflowRef = workflowRef
        self.jobWorkflowRef = jobWorkflowRef
        self.runId = runId
        self.runAttempt = runAttempt
        self.actor = actor
        self.environment = environment
        self.eventName = eventName
        url = "\(serverURL)/\(repository)/actions/runs/\(runId)/attempts/\(runAttempt)"
    }

    /// The run's page without the attempt, as a workflow's own `GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID` reads.
    public var runURL: String {
        String(url[..<(url.range(of: "/attempts/", options: .backwards)?.lowerBound ?? url.endIndex)])
    }

    /// A claim a ``GitHubOIDC/Rule`` may name.
    func claim(_ name: String) -> String? {
        switch name {
        case "repository": repository
        case "repository_owner": repositoryOwner
        case "ref": ref
        case "environment": environment
        case "workflow_ref": workflowRef
        case "job_workflow_ref": jobWorkflowRef
        case "event_name": eventName
        default: nil
        }
    }
}
