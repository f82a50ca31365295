import Foundation

/// A Slack incoming-webhook message: a Block Kit section in mrkdwn, and the same in plain
/// `text` for notifications and clients without blocks.
///
/// ```
/// :x: *api* · *staging*: failed at stabilize
/// *Tag:* `rel-2026.11.02.09.00.00`   *By:* <@U012AB3CD>
/// *Reason:* the circuit breaker rolled the service back
/// <https://github.com/…/runs/7001|Workflow run> · <https://shiplog.example.org/deployments/…|Deployment>
/// ```
enum SlackMessage {
    static func render(_ notice: Notice, sink: NotificationSink, deliveryId: String) throws -> OutgoingNotification {
        var lines = ["\(icon(notice.eventType)) \(headline(notice)): \(escape(notice.outcome))"]
        var facts: [String] = []
        if let tag = notice.tag { facts.append("*Tag:* `\(escape(tag))`") }
        if let actor = notice.actor { facts.append("*By:* \(mention(actor, sink.mentions))") }
        if let trigger = notice.trigger { facts.append("*Trigger:* \(escape(trigger))") }
        if !facts.isEmpty { lines.append(facts.joined(separator: "   ")) }
        if let reason = notice.reason { lines.append("*Reason:* \(escape(reason))") }
        if let target = notice.rollbackTarget { lines.append("*Rolled back to:* `\(escape(target))`") }
        var links: [String] = []
        if let run = notice.runURL { links.append("<\(run)|Workflow run>") }
        if let page = notice.dashboardLink(sink.dashboardURL) { links.append("<\(page)|\(notice.deploymentId == nil ? "Dashboard" : "Deployment")>") }
        if !links.isEmpty { lines.append(links.joined(separator: " · ")) }
        let text = lines.joined(separator: "\n")
        let message: [String: Any] = [
            "text": text,
            "blocks": [["type": "section", "text": ["type": "mrkdwn", "text": text]]],
        ]
        let body = try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys, .withoutEscapingSlashes])
        // Slack ignores the header; a proxy or test receiver in front of it can deduplicate by it.
        return OutgoingNotification(deliveryId: deliveryId, url: sink.url, headers: [("Content-Type", "application/json"), ("X-Shiplog-Delivery", deliveryId)], body: body)
    }

    /// `<@U…>` for a mapped GitHub login (Slack notifies the member), else the login as text.
    static func mention(_ login: String, _ mentions: [String: String]) -> String {
        mentions[login.lowercased()].map { "<@\($0)>" } ?? escape(login)
    }

    private static func headline(_ notice: Notice) -> String {
        switch (notice.app, notice.environment) {
        case (let app?, let environment?): "*\(escape(app))* · *\(escape(environment))*"
        case (let app?, nil): "*\(escape(app))*"
        case (nil, let environment?): "*\(escape(environment))*"
        case (nil, nil): "*\(escape(notice.eventType))*"
        }
    }

    private static func icon(_ type: String) -> String {
        switch type {
        case "DeploymentStable", "DriftCorrected", "DriftResolved": ":white_check_mark:"
        case "RolledBackAutomatically": ":rewind:"
        case "DeploymentTimedOut": ":hourglass:"
        case "DriftDetected": ":warning:"
        case "AccessDenied": ":no_entry:"
        case "DeploymentFailed": ":x:"
        default: ":information_source:"
        }
    }

    /// Slack's mrkdwn treats `&`, `<` and `>` as control characters; everything else is literal.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
