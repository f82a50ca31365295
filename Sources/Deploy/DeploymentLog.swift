import ECS
import Foundation
import Ledger

/// How far a deployment got, read back from its stream: what a resumed flow starts from.
struct DeploymentLog: Sendable {
    var id: String
    var request: DeploymentRequested
    var verified = false
    var templateRevision: Int?
    var rendered = false
    var registeredArn: String?
    var updated = false
    /// The ECS deployment the service update started, when ECS said.
    var ecsDeploymentId: String?
    var lastStep: DeploymentStep = .requested
    var terminal: DeploymentResult?
    /// When this process requested the deployment, on the engine's clock; nil for one resumed
    /// from the ledger (its request was made by another process, on another clock).
    var requestedAt: Date?
    /// Whether a revision already running the images is reused rather than the template rendered
    /// (a reconcile, or `rollback --reuse-revision`).
    var reusesRevision = false
    /// What UpdateService answered, when this process told ECS (not read back on resume).
    var updateAnswer: ECSService?

    init(id: String, request: DeploymentRequested) {
        self.id = id
        self.request = request
    }

    /// Reads `deployment-...`; nil when the stream holds no `DeploymentRequested`.
    init?(id: String, events: [RecordedEvent]) throws {
        guard let first = events.first(where: { $0.type == DeploymentRequested.eventType }) else { return nil }
        self.init(id: id, request: try DeploymentRequested.decode(from: first.data))
        let imageCount = request.images?.count ?? 0
        var verifiedCount = 0
        var rolledBackTo: String?
        for event in events {
            switch event.type {
            case ImageVerified.eventType:
                verifiedCount += 1
                if verifiedCount >= imageCount {
                    verified = true
                    lastStep = .imagesVerified
                }
            case TaskDefinitionRendered.eventType:
                templateRevision = try TaskDefinitionRendered.decode(from: event.data).templateRevision
                rendered = true
                lastStep = .rendered
            case TaskDefinitionRegistered.eventType:
                registeredArn = try TaskDefinitionRegistered.decode(from: event.data).taskDefinitionArn
                verified = true
                lastStep = .registered
            case ServiceUpdated.eventType:
                ecsDeploymentId = try ServiceUpdated.decode(from: event.data).ecsDeploymentId
                updated = true
                lastStep = .serviceUpdated
            case DeploymentStable.eventType:
                let stable = try DeploymentStable.decode(from: event.data)
                terminal = result(.succeeded, arn: stable.taskDefinitionArn)
            case RolledBackAutomatically.eventType:
                rolledBackTo = try RolledBackAutomatically.decode(from: event.data).taskDefinitionArn
            case DeploymentFailed.eventType:
                let failed = try DeploymentFailed.decode(from: event.data)
                terminal = result(rolledBackTo == nil ? .failed : .rolledBack, stage: failed.stage, reason: failed.reason, rolledBackTo: rolledBackTo)
            case DeploymentTimedOut.eventType:
                let timedOut = try DeploymentTimedOut.decode(from: event.data)
                terminal = result(.timedOut, stage: "stabilize", reason: "not stable after \(timedOut.timeoutSeconds) s")
            default:
                break
            }
        }
    }

    func result(
        _ outcome: DeploymentOutcome, stage: String? = nil, reason: String? = nil, arn: String? = nil, rolledBackTo: String? = nil
    ) -> DeploymentResult {
        DeploymentResult(
            id: id, app: request.app, environment: request.environment, tag: request.tag, outcome: outcome,
            failureStage: stage, reason: reason, taskDefinitionArn: arn ?? registeredArn, rolledBackTo: rolledBackTo)
    }

    var images: [String: String] { request.images ?? [:] }
}

extension DeploymentResult {
    /// How deployment `id` ended, read from its stream as the engine concluded it (a deployment
    /// left open ends as `.inProgress` with its stage and reason); `nil` while it runs. For a client
    /// following a deployment that the service runs.
    public static func concluded(id: String, events: [RecordedEvent]) throws -> DeploymentResult? {
        guard let log = try DeploymentLog(id: id, events: events) else { return nil }
        if let terminal = log.terminal { return terminal }
        guard let open = events.last(where: { $0.type == DeploymentLeftOpen.eventType }) else { return nil }
        let leftOpen = try DeploymentLeftOpen.decode(from: open.data)
        return log.result(.inProgress, stage: leftOpen.stage, reason: leftOpen.reason)
    }

    /// The event types one of which ends a deployment's stream.
    public static let concludingEventTypes: Set<String> = [
        DeploymentStable.eventType, DeploymentFailed.eventType, DeploymentTimedOut.eventType, DeploymentLeftOpen.eventType,
    ]
}
