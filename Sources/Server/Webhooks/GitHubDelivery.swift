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

    /// The event a delivery of `name` (one of ``recordedEvents``) records.
    ///
    /// - Throws: 400 naming the field that is missing or malformed, or saying the body is not JSON.
    static func event(_ name: String, body: Data, clientAddress: String?) throws -> NewEvent {
        let metadata = EventMetadata(authMethod: "github-webhook", clientAddress: clientAddress)
        switch name {
        case "workflow_run":
            return try decode(WorkflowRunDelivery.self, from: body).event(metadata)
        case "deployment":
            return try decode(DeploymentDelivery.self, from: body).event(metadata)
        default:
            return try decode(DeploymentStatusDelivery.self, from: body).event(metadata)
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

    private static func decode<Delivery: Decodable>(_ type: Delivery.Type, from body: Data) throws -> Delivery {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: body)
        } catch let error as DecodingError {
            var message = APIRequestDecoder.describe(error)
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                message += " (the webhook's content type must be application/json)"
            }
            throw HTTPError(.badRequest, message: message)
        }
    }

    private struct User: Decodable {
        var login: String
    }

    private struct Repository: Decodable {
        var fullName: String
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
            var actor: User?
            var triggeringActor: User?
        }

        var workflowRun: Run
        var repository: Repository
        var sender: User?

        /// The run's actor is the person it ran for; whoever started this attempt (a re-run) is
        /// the one who counts for it, when someone else did.
        func event(_ defaults: EventMetadata) -> NewEvent {
            let run = workflowRun
            var metadata = defaults
            metadata.actor = run.actor?.login ?? sender?.login
            if let triggering = run.triggeringActor?.login, triggering != metadata.actor { metadata.onBehalfOf = triggering }
            metadata.source = run.htmlUrl
            metadata.commit = run.headSha
            let payload = WorkflowRunReported(
                repository: repository.fullName, runId: run.id, runAttempt: run.runAttempt, name: run.name.nonEmpty,
                status: run.status.nonEmpty, conclusion: run.conclusion.nonEmpty, headBranch: run.headBranch.nonEmpty,
                event: run.event)
            return NewEvent(stream: GitHubDelivery.stream("run", repository: repository.fullName, id: run.id), payload, metadata: metadata)
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
