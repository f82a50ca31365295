import Foundation
import Ledger

/// A CDEvent (https://cdevents.dev, spec 0.4.1) sent as a CloudEvent over HTTP in structured
/// mode: the body is the whole CloudEvent (`application/cloudevents+json`) with the CDEvent as
/// its `data`, so a broker can log or forward it without reading headers. The CloudEvent's `id`
/// and the CDEvent's `context.id` are the delivery id.
///
/// | ledger event | CDEvent |
/// |---|---|
/// | `DeploymentStable` | `service.deployed` (first in the environment), `service.upgraded` (replacing one), `service.rolledback` (a rollback) |
/// | `RolledBackAutomatically` | `service.rolledback` (artifact: the revision ECS went back to) |
/// | `DeploymentFailed`, `DeploymentTimedOut`, `DriftDetected` | `incident.detected` |
enum CDEvent {
    static let specVersion = "0.4.1"

    /// The ledger's event types that have a CDEvent.
    static let notifiedTypes: Set<String> = [
        DeploymentStable.eventType, RolledBackAutomatically.eventType, DeploymentFailed.eventType,
        DeploymentTimedOut.eventType, DriftDetected.eventType,
    ]

    /// The CDEvent type of `notice`.
    static func type(of notice: Notice) -> String? {
        switch notice.eventType {
        case DeploymentStable.eventType:
            if notice.trigger == DeploymentTrigger.rollback.rawValue { return "dev.cdevents.service.rolledback.0.2.0" }
            return notice.replacedEarlier ? "dev.cdevents.service.upgraded.0.2.0" : "dev.cdevents.service.deployed.0.2.0"
        case RolledBackAutomatically.eventType: return "dev.cdevents.service.rolledback.0.2.0"
        case DeploymentFailed.eventType, DeploymentTimedOut.eventType, DriftDetected.eventType: return "dev.cdevents.incident.detected.0.2.0"
        default: return nil
        }
    }

    static func render(_ notice: Notice, sink: NotificationSink, deliveryId: String) throws -> OutgoingNotification {
        guard let type = type(of: notice) else { throw NotificationRenderError("\(notice.eventType) has no CDEvents type") }
        guard let app = notice.app, let environment = notice.environment else {
            throw NotificationRenderError("\(notice.eventType) at position \(notice.event.position) names no app and environment")
        }
        let source = sink.dashboardURL ?? "shiplog"
        let service = "\(environment)/\(app)"
        let content: [String: Any]
        let subject: [String: Any]
        if type.hasPrefix("dev.cdevents.incident.") {
            var fields: [String: Any] = [
                "description": "\(app) \(environment): \(notice.outcome)" + (notice.reason.map { ": \($0)" } ?? ""),
                "environment": ["id": environment], "service": ["id": service],
            ]
            if let artifact = artifact(app, notice.tag) { fields["artifactId"] = artifact }
            content = fields
            subject = ["id": notice.event.id, "source": source, "type": "incident", "content": content]
        } else {
            let target = notice.eventType == RolledBackAutomatically.eventType ? notice.rollbackTarget : artifact(app, notice.tag)
            guard let target else { throw NotificationRenderError("\(notice.eventType) at position \(notice.event.position) names no artifact") }
            content = ["environment": ["id": environment], "artifactId": target]
            subject = ["id": service, "source": source, "type": "service", "content": content]
        }
        var customData: [String: Any] = ["event_id": notice.event.id, "event_type": notice.eventType, "position": Int(notice.event.position)]
        if let actor = notice.actor { customData["actor"] = actor }
        if let run = notice.runURL { customData["run_url"] = run }
        if let page = notice.dashboardLink(sink.dashboardURL) { customData["dashboard_url"] = page }
        let cdevent: [String: Any] = [
            "context": ["version": specVersion, "id": deliveryId, "source": source, "type": type, "timestamp": notice.event.recordedAt],
            "subject": subject,
            "customData": customData,
            "customDataContentType": "application/json",
        ]
        let cloudEvent: [String: Any] = [
            "specversion": "1.0", "id": deliveryId, "source": source, "type": type, "time": notice.event.recordedAt,
            "datacontenttype": "application/json", "data": cdevent,
        ]
        let body = try JSONSerialization.data(withJSONObject: cloudEvent, options: [.sortedKeys, .withoutEscapingSlashes])
        return OutgoingNotification(
            deliveryId: deliveryId, url: sink.url, headers: [("Content-Type", "application/cloudevents+json; charset=utf-8")], body: body)
    }

    /// The image as a package URL (`pkg:oci/api?tag=rel-…`): CDEvents names artifacts by purl.
    private static func artifact(_ app: String, _ tag: String?) -> String? {
        guard let tag, let encoded = tag.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) else {
            return nil
        }
        return "pkg:oci/\(app.lowercased())?tag=\(encoded)"
    }
}
