import Foundation
import Ledger

/// A generic JSON webhook: the event as the log holds it (hashes included, so a receiver can
/// check it against the ledger) with what the ledger knows around it, signed as GitHub signs
/// its own deliveries.
///
/// Headers: `X-Shiplog-Delivery` (the delivery id), `X-Shiplog-Event` (the event type) and
/// `X-Shiplog-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the body under the secret.
enum WebhookMessage {
    static func render(_ notice: Notice, sink: NotificationSink, deliveryId: String, secret: String?) throws -> OutgoingNotification {
        var message: [String: Any] = [
            "delivery_id": deliveryId, "sink": sink.name, "outcome": notice.outcome,
            "event": try JSONSerialization.jsonObject(with: Data(notice.event.jsonLine().utf8)),
        ]
        let optional: [String: String?] = [
            "app": notice.app, "environment": notice.environment, "tag": notice.tag, "actor": notice.actor, "reason": notice.reason,
            "rollback_target": notice.rollbackTarget, "run_url": notice.runURL, "deployment_id": notice.deploymentId,
            "trigger": notice.trigger, "dashboard_url": notice.dashboardLink(sink.dashboardURL),
        ]
        for case (let key, let value?) in optional { message[key] = value }
        let body = try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys, .withoutEscapingSlashes])
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("X-Shiplog-Delivery", deliveryId), ("X-Shiplog-Event", notice.eventType),
        ]
        if let secret { headers.append(("X-Shiplog-Signature-256", OutgoingNotification.signature(of: body, secret: secret))) }
        return OutgoingNotification(deliveryId: deliveryId, url: sink.url, headers: headers, body: body)
    }
}
