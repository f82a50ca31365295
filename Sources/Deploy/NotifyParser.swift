import Foundation
import Ledger
import Notifications
import Yams

/// Reads `notify:`: the dashboard the messages link to, how hard to retry, and the sinks.
///
/// ```yaml
/// notify:
///   dashboard_url: https://shiplog.example.org
///   retry: {attempts: 5, backoff: 2s}
///   sinks:
///     - {name: maintainers, type: slack, url: https://hooks.slack.com/services/T0/B0/X, mentions: {ana: U012AB3CD}}
///     - {name: audit, type: webhook, url: https://hooks.example.org/shiplog, secret_env: SHIPLOG_HOOK_SECRET, environments: [production]}
///     - {name: cdevents, type: cdevents, url: http://broker.example.org/default}
/// ```
enum NotifyParser {
    static func parse(_ node: Node, _ reader: ConfigurationParser.Reader, known apps: [String: ShiplogConfiguration.App]) throws -> NotificationSettings {
        let fields = try reader.mapping(node, "notify", allowed: ["dashboard_url", "retry", "sinks"])
        let dashboard = try fields["dashboard_url"].map { try url($0, "notify.dashboard_url", reader) }
        var settings = NotificationSettings()
        if let value = fields["retry"] {
            let retry = try reader.mapping(value, "notify.retry", allowed: ["attempts", "backoff", "max_backoff"])
            if let attempts = retry["attempts"] {
                let text = try reader.string(attempts, "notify.retry.attempts")
                guard let count = Int(text), (1...100).contains(count) else {
                    throw ConfigurationError.invalid(file: reader.file, key: "notify.retry.attempts", "must be a number of attempts from 1 to 100, not '\(text)'")
                }
                settings.maxAttempts = count
            }
            if let backoff = retry["backoff"] { settings.backoff = try duration(backoff, "notify.retry.backoff", reader) }
            if let maximum = retry["max_backoff"] { settings.maximumBackoff = try duration(maximum, "notify.retry.max_backoff", reader) }
        }
        guard let sinksNode = fields["sinks"] else { throw ConfigurationError.invalid(file: reader.file, key: "notify.sinks", "missing") }
        guard case .sequence(let sinks) = sinksNode else {
            throw ConfigurationError.invalid(file: reader.file, key: "notify.sinks", "must be a list of sinks such as [{name: team, type: slack, url: https://hooks.slack.com/...}]")
        }
        var names: Set<String> = []
        for (index, value) in sinks.enumerated() {
            var sink = try self.sink(value, "notify.sinks[\(index)]", reader, apps: apps)
            guard names.insert(sink.name).inserted else {
                throw ConfigurationError.invalid(file: reader.file, key: "notify.sinks[\(index)].name", "'\(sink.name)' names another sink too")
            }
            sink.dashboardURL = sink.dashboardURL ?? dashboard
            settings.sinks.append(sink)
        }
        return settings
    }

    private static func sink(_ node: Node, _ key: String, _ reader: ConfigurationParser.Reader, apps: [String: ShiplogConfiguration.App]) throws -> NotificationSink {
        let fields = try reader.mapping(
            node, key, allowed: ["name", "type", "url", "url_env", "events", "apps", "environments", "secret_env", "mentions", "dashboard_url"])
        let name = try reader.required(fields, "name", key) { try reader.string($0, "\(key).name") }
        guard NameRule.isValid(name) else { throw ConfigurationError.invalid(file: reader.file, key: "\(key).name", NameRule.problem(name, what: "a sink's name")) }
        let typeText = try reader.required(fields, "type", key) { try reader.string($0, "\(key).type") }
        guard let kind = NotificationSink.Kind(rawValue: typeText) else {
            throw ConfigurationError.invalid(file: reader.file, key: "\(key).type", "must be slack, webhook or cdevents, not '\(typeText)'")
        }
        // A Slack webhook's URL is its secret: `url_env` names the variable holding it, read at
        // each attempt as `secret_env` is, so it never goes in the file.
        var address = ""
        var urlVariable: String?
        switch (fields["url"], fields["url_env"]) {
        case (let value?, nil):
            address = try url(value, "\(key).url", reader)
        case (nil, let value?):
            urlVariable = try variable(value, "\(key).url_env", reader)
        case (.some, .some):
            throw ConfigurationError.invalid(file: reader.file, key: "\(key).url_env", "give url or url_env, not both")
        case (nil, nil):
            throw ConfigurationError.invalid(file: reader.file, key: key, "needs url (or url_env, the variable that holds it)")
        }
        var events: Set<String>?
        if let value = fields["events"] {
            let names = try reader.strings(value, "\(key).events")
            let carried = NotificationSink.notifiableTypes(for: kind)
            for type in names where !carried.contains(type) {
                let why: String
                if type == NotificationDelivered.eventType || type == NotificationFailed.eventType {
                    why = "notification outcomes are never notified"
                } else if EventTypes.writer(of: type) != nil {
                    why = "\(kind.rawValue) sinks carry only \(carried.sorted().joined(separator: ", "))"
                } else {
                    why = "no event type has this name" + (EventTypes.nearest(to: type).map { " (did you mean \($0)?)" } ?? "")
                }
                throw ConfigurationError.invalid(file: reader.file, key: "\(key).events", "'\(type)': \(why)")
            }
            if names.isEmpty { throw ConfigurationError.invalid(file: reader.file, key: "\(key).events", "must name at least one event type (leave it out for the defaults)") }
            events = Set(names)
        }
        var sink = NotificationSink(name: name, kind: kind, url: address, events: events)
        sink.urlVariable = urlVariable
        if let value = fields["apps"] {
            let names = try reader.strings(value, "\(key).apps")
            if let unknown = names.first(where: { apps[$0] == nil }) {
                throw ConfigurationError.invalid(file: reader.file, key: "\(key).apps", "no app '\(unknown)' (known: \(apps.keys.sorted().joined(separator: ", ")))")
            }
            sink.apps = Set(names)
        }
        if let value = fields["environments"] {
            let known = Set(apps.values.flatMap(\.environments.keys))
            let names = try reader.strings(value, "\(key).environments")
            if let unknown = names.first(where: { !known.contains($0) }) {
                throw ConfigurationError.invalid(file: reader.file, key: "\(key).environments", "no app has an environment '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
            }
            sink.environments = Set(names)
        }
        if let value = fields["secret_env"] {
            guard kind == .webhook else { throw ConfigurationError.invalid(file: reader.file, key: "\(key).secret_env", "only webhook sinks are signed") }
            sink.secretVariable = try variable(value, "\(key).secret_env", reader)
        }
        if let value = fields["mentions"] {
            guard kind == .slack else { throw ConfigurationError.invalid(file: reader.file, key: "\(key).mentions", "only slack sinks mention people") }
            for (login, member) in try reader.mapping(value, "\(key).mentions", allowed: nil) {
                let id = try reader.string(member, "\(key).mentions.\(login)")
                guard id.range(of: "^[UW][A-Z0-9]{2,}$", options: .regularExpression) != nil else {
                    throw ConfigurationError.invalid(file: reader.file, key: "\(key).mentions.\(login)", "must be a Slack member id such as U012AB3CD, not '\(id)'")
                }
                sink.mentions[login.lowercased()] = id
            }
        }
        sink.dashboardURL = try fields["dashboard_url"].map { try url($0, "\(key).dashboard_url", reader) }
        return sink
    }

    private static func variable(_ node: Node, _ key: String, _ reader: ConfigurationParser.Reader) throws -> String {
        let variable = try reader.string(node, key)
        guard variable.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
            throw ConfigurationError.invalid(file: reader.file, key: key, "must name an environment variable (the secret itself never goes in the file), not '\(variable)'")
        }
        return variable
    }

    private static func url(_ node: Node, _ key: String, _ reader: ConfigurationParser.Reader) throws -> String {
        let text = try reader.string(node, key)
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme), url.host?.isEmpty == false else {
            throw ConfigurationError.invalid(file: reader.file, key: key, "must be an http(s) URL, not '\(text)'")
        }
        return text
    }

    /// A duration as the rest of the file writes one, or in milliseconds (`250ms`).
    private static func duration(_ node: Node, _ key: String, _ reader: ConfigurationParser.Reader) throws -> Duration {
        let text = try reader.string(node, key)
        let value = text.hasSuffix("ms") ? Int(text.dropLast(2)).map { Duration.milliseconds($0) } : ConfigurationParser.duration(text)
        guard let value, value > .zero else {
            throw ConfigurationError.invalid(file: reader.file, key: key, "must be a duration such as 2s, 1m or 500ms, not '\(text)'")
        }
        return value
    }
}
