import Deploy
import Foundation
import Hummingbird
import Ledger

/// Turns the GitHub webhook events that speak of deployments into ledger events: a workflow run,
/// a GitHub deployment and its statuses. Each delivery records one event, with the person who
/// acted, the run's page (or the deployment's) as `source` and the commit in its metadata.
///
/// Only the fields read here are decoded, so the fields GitHub adds over time change nothing.
enum GitHubDelivery {
    /// The `X-GitHub-Event` names that are recorded; GitHub's other events are acknowledged and dropped.
    static let recordedEvents: Set<String> = ["workflow_run", "deployment", "deployment_status"]

    /// The events a delivery of `name` (one of ``recordedEvents``) records: one, and for a completed
    /// run of a workflow in `verifications`, its `VerificationRecorded` too (in the same append, so
    /// a redelivery records neither twice).
    ///
    /// - Throws: 400 naming the field that is missing or malformed, or saying the body is not JSON.
    static func events(_ name: String, json: [UInt8], clientAddress: String?, verifications: [VerificationWorkflow] = []) throws -> [NewEvent] {
        let metadata = EventMetadata(authMethod: "github-webhook", clientAddress: clientAddress)
        switch name {
        case "workflow_run":
            let delivery = try decode(WorkflowRunDelivery.self, from: json)
            let reported = delivery.event(metadata)
            return [reported] + delivery.verifications(verifications, metadata: reported.metadata)
        case "deployment":
            return [try decode(DeploymentDelivery.self, from: json).event(metadata)]
        default:
            return [try decode(DeploymentStatusDelivery.self, from: json).event(metadata)]
        }
    }

    /// `github-<kind>-<owner.repo>-<id>`: letters, digits, `.`, `_` and `-`, within the 128
    /// characters the API's `stream` filter accepts.
    ///
    /// GitHub's run and deployment ids are unique across repositories, so the id alone keeps
    /// streams apart; the repository (lower-cased, as GitHub treats names) is there for people
    /// reading the log, and is cut short when it would not fit.
    static func stream(_ kind: String, repository: String, id: Int64) -> String {
        let slug = String(repository.lowercased().unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "0"..."9", ".", "_", "-": Character(scalar)
            case "/": "."
            default: "-"
            }
        })
        let prefix = "github-\(kind)-", suffix = "-\(id)"
        return prefix + slug.prefix(128 - prefix.count - suffix.count) + suffix
    }

    /// Decodes the delivery's JSON where it lies: a delivery may be 25 MB, so it is not copied into
    /// a `Data` first. Keys are not converted: the types spell GitHub's names in their `CodingKeys`.
    private static func decode<Delivery: Decodable>(_ type: Delivery.Type, from json: [UInt8]) throws -> Delivery {
        let decoder = JSONDecoder()
        do {
            return try json.withUnsafeBytes { bytes in
                guard let start = bytes.baseAddress else { return try decoder.decode(type, from: Data()) }
                // Only read: the decoder never writes through the pointer `bytesNoCopy` wants mutable.
                let view = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: start), count: bytes.count, deallocator: .none)
                return try decoder.decode(type, from: view)
            }
        } catch let error as DecodingError {
            var message = APIRequestDecoder.describe(error)
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                message += " (a webhook's content type is application/json, or application/x-www-form-urlencoded with the JSON as 'payload')"
            }
            throw HTTPError(.badRequest, message: message)
        }
    }

    private struct User: Decodable {
        var login: String
    }

    private struct Repository: Decodable {
        var fullName: String

        enum CodingKeys: String, CodingKey {
            case fullName = "full_name"
        }
    }

    private struct WorkflowRunDelivery: Decodable {
        struct Run: Decodable {
            var id: Int64
            var runAttempt: Int?
            var name: String?
            var status: String?
            var conclusion: String?
            var headBranch: String?
            var headSha: String
            var event: String
            var htmlUrl: String
            var path: String?
            var actor: User?
            var triggeringActor: User?

            enum CodingKeys: String, CodingKey {
                case id, name, status, conclusion, event, path, actor
                case runAttempt = "run_attempt"
                case headBranch = "head_branch"
                case headSha = "head_sha"
                case htmlUrl = "html_url"
                case triggeringActor = "triggering_actor"
            }
        }

        struct Workflow: Decodable {
            var name: String?
            var path: String?
        }

        var workflowRun: Run
        var workflow: Workflow?
        var repository: Repository
        var sender: User?

        enum CodingKeys: String, CodingKey {
            case workflow, repository, sender
            case workflowRun = "workflow_run"
        }

        /// Whoever started this attempt is the actor: the person who pushed, or who re-ran it.
        /// A re-run by someone else keeps whose run it first was (`workflow_run.actor`) in the
        /// data as `original_actor`, not as `on_behalf_of`: the re-runner acted on their own
        /// account, not as a bot for the original author.
        func event(_ defaults: EventMetadata) -> NewEvent {
            let run = workflowRun
            let original = run.actor?.login
            let actor = run.triggeringActor?.login ?? original ?? sender?.login
            var metadata = defaults
            metadata.actor = actor
            metadata.source = run.htmlUrl
            metadata.commit = run.headSha
            // GitHub's run name is the workflow's `run-name`, which may be blank; the workflow names itself.
            let name = run.name.nonEmpty ?? workflow?.name.nonEmpty ?? workflow?.path.nonEmpty ?? run.path.nonEmpty
            let payload = WorkflowRunReported(
                repository: repository.fullName, runId: run.id, runAttempt: run.runAttempt, name: name,
                status: run.status.nonEmpty, conclusion: run.conclusion.nonEmpty, headBranch: run.headBranch.nonEmpty,
                event: run.event, originalActor: original == actor ? nil : original)
            return NewEvent(stream: GitHubDelivery.stream("run", repository: repository.fullName, id: run.id), payload, metadata: metadata)
        }

        /// A completed run of a configured workflow is a verification result for the tag its head
        /// commit built; a run still going, or one that did not finish its suite, is none.
        func verifications(_ workflows: [VerificationWorkflow], metadata: EventMetadata) -> [NewEvent] {
            let run = workflowRun
            guard run.status == "completed", let outcome = VerificationWorkflow.outcome(conclusion: run.conclusion) else { return [] }
            let path = workflow?.path.nonEmpty ?? run.path.nonEmpty
            let name = workflow?.name.nonEmpty ?? run.name.nonEmpty
            return workflows.filter { $0.matches(path: path, name: name, repository: repository.fullName) }.map { configured in
                let result = VerificationRecorded(
                    app: configured.app, environment: configured.environment, tag: configured.tag(sha: run.headSha), name: configured.name,
                    outcome: outcome, url: run.htmlUrl, runId: String(run.id), commit: run.headSha)
                return NewEvent(stream: VerificationRecorded.stream(app: configured.app, environment: configured.environment), result, metadata: metadata)
            }
        }
    }

    private struct DeploymentDelivery: Decodable {
        struct Deployment: Decodable {
            var id: Int64
            var url: String
            var sha: String
            var ref: String
            var task: String
            var environment: String
        }

        var deployment: Deployment
        var repository: Repository
        var sender: User?

        func event(_ defaults: EventMetadata) -> NewEvent {
            var metadata = defaults
            metadata.actor = sender?.login
            metadata.source = deployment.url
            metadata.commit = deployment.sha
            let payload = GitHubDeploymentCreated(
                repository: repository.fullName, deploymentId: deployment.id, environment: deployment.environment,
                ref: deployment.ref, sha: deployment.sha, task: deployment.task)
            return NewEvent(stream: GitHubDelivery.stream("deployment", repository: repository.fullName, id: deployment.id), payload,
                            metadata: metadata)
        }
    }

    private struct DeploymentStatusDelivery: Decodable {
        struct Status: Decodable {
            var state: String
            var environment: String?
            var targetUrl: String?
            var logUrl: String?
            var description: String?

            enum CodingKeys: String, CodingKey {
                case state, environment, description
                case targetUrl = "target_url"
                case logUrl = "log_url"
            }
        }

        struct Deployment: Decodable {
            var id: Int64
            var url: String
            var sha: String
            var environment: String
        }

        var deploymentStatus: Status
        var deployment: Deployment
        var repository: Repository
        var sender: User?

        enum CodingKeys: String, CodingKey {
            case deployment, repository, sender
            case deploymentStatus = "deployment_status"
        }

        func event(_ defaults: EventMetadata) -> NewEvent {
            let status = deploymentStatus
            let targetUrl = status.targetUrl.nonEmpty, logUrl = status.logUrl.nonEmpty
            var metadata = defaults
            metadata.actor = sender?.login
            metadata.source = targetUrl ?? logUrl ?? deployment.url
            metadata.commit = deployment.sha
            let payload = GitHubDeploymentStatusReported(
                repository: repository.fullName, deploymentId: deployment.id, state: status.state,
                environment: status.environment.nonEmpty ?? deployment.environment, targetUrl: targetUrl, logUrl: logUrl,
                description: status.description.nonEmpty)
            return NewEvent(stream: GitHubDelivery.stream("deployment", repository: repository.fullName, id: deployment.id), payload,
                            metadata: metadata)
        }
    }
}

extension String? {
    /// Nil for `""`, which GitHub sends for many fields that are not set.
    fileprivate var nonEmpty: String? {
        flatMap { $0.isEmpty ? nil : $0 }
    }
}
