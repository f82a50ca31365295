import Foundation
import Ledger

/// What an event tells the people and systems notified of it: the event, and what the ledger
/// knows around it (a deployment's app, environment, tag, actor and workflow run live on its
/// `DeploymentRequested`, not on its failure).
public struct Notice: Sendable, Equatable {
    public var event: RecordedEvent
    public var eventType: String { event.type }
    public var app: String?
    public var environment: String?
    public var tag: String?
    /// The person that counts: whom a bot acted for, else the actor.
    public var actor: String?
    /// What happened, in a few words: `failed at stabilize`, `rolled back automatically`.
    public var outcome: String
    public var reason: String?
    /// The revision ECS went back to.
    public var rollbackTarget: String?
    /// The workflow run (or other source) the event came from, when it is a link.
    public var runURL: String?
    /// The deployment's stream, for events of a deployment.
    public var deploymentId: String?
    /// Why the deployment ran (`merge`, `rollback`, ...), for events of a deployment.
    public var trigger: String?
    /// For `DeploymentStable`: whether the environment had run a stable deployment of the app before.
    public var replacedEarlier = false

    /// Every type a notice can be made of: the ledger's own, but never a notification's outcome,
    /// which would notify of notifying.
    public static var notifiableTypes: Set<String> {
        Set(EventTypes.names).subtracting([NotificationDelivered.eventType, NotificationFailed.eventType])
    }

    /// The notice of `event`, reading its deployment from `store`; nil for notification events.
    public static func make(_ event: RecordedEvent, store: EventStore) throws -> Notice? {
        guard notifiableTypes.contains(event.type) else { return nil }
        let fields = (try? JSONSerialization.jsonObject(with: Data(event.data.utf8))) as? [String: Any] ?? [:]
        let metadata = event.decodedMetadata()
        var notice = Notice(
            event: event, app: fields["app"] as? String, environment: fields["environment"] as? String, tag: fields["tag"] as? String,
            actor: metadata.onBehalfOf ?? metadata.actor, outcome: Self.outcome(event.type, fields), reason: fields["reason"] as? String,
            runURL: metadata.source.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil })
        switch event.type {
        case DeploymentTimedOut.eventType:
            notice.reason = (fields["timeout_seconds"] as? Int).map { "not stable within \($0)s" }
        case DriftDetected.eventType:
            notice.reason = (fields["differences"] as? [String])?.joined(separator: "; ")
        case RolledBackAutomatically.eventType:
            notice.rollbackTarget = fields["task_definition_arn"] as? String
        default:
            break
        }
        if event.stream.hasPrefix("deployment-"), let record = try store.deployments(DeploymentFilter(id: event.stream, limit: 1)).first {
            notice.deploymentId = record.id
            notice.app = record.app
            notice.environment = record.environment
            notice.tag = record.tag
            notice.trigger = record.trigger
            notice.actor = record.actor ?? notice.actor
            notice.runURL = record.source.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil } ?? notice.runURL
            notice.rollbackTarget = notice.rollbackTarget ?? record.rolledBackTo
            if event.type == DeploymentStable.eventType {
                let earlier = DeploymentFilter(app: record.app, environment: record.environment, outcome: .succeeded, before: record.position, limit: 1)
                notice.replacedEarlier = try !store.deployments(earlier).isEmpty
                if record.trigger == DeploymentTrigger.rollback.rawValue { notice.outcome = "rolled back" }
            }
        }
        return notice
    }

    /// The dashboard page of this notice: the deployment's, else the overview.
    public func dashboardLink(_ dashboardURL: String?) -> String? {
        guard let dashboardURL else { return nil }
        let base = dashboardURL.hasSuffix("/") ? String(dashboardURL.dropLast()) : dashboardURL
        return deploymentId.map { "\(base)/deployments/\($0)" } ?? "\(base)/"
    }

    private static func outcome(_ type: String, _ fields: [String: Any]) -> String {
        switch type {
        case DeploymentRequested.eventType: "requested"
        case DeploymentStable.eventType: "deployed"
        case DeploymentFailed.eventType: "failed" + ((fields["stage"] as? String).map { " at \($0)" } ?? "")
        case DeploymentTimedOut.eventType: "timed out"
        case RolledBackAutomatically.eventType: "rolled back automatically"
        case DeploymentLeftOpen.eventType: "left open"
        case DriftDetected.eventType: "drift detected"
        case DriftCorrected.eventType: "drift corrected"
        case DriftResolved.eventType: "drift resolved"
        case AccessDenied.eventType: "refused" + ((fields["action"] as? String).map { ": \($0)" } ?? "")
        default: type
        }
    }
}
