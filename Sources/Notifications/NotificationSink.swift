import Foundation

/// Where notifications go and which events they are for: one entry of `notify.sinks`.
public struct NotificationSink: Sendable, Equatable {
    /// How the receiver wants to be spoken to.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A Slack incoming webhook: a readable message, people mentioned.
        case slack
        /// Any HTTP endpoint: the event as JSON, signed with HMAC-SHA256 as GitHub signs its own.
        case webhook
        /// A CDEvents consumer: CloudEvents over HTTP, structured mode.
        case cdevents
    }

    /// Unique among the sinks; part of every delivery id, so renaming a sink notifies anew.
    public var name: String
    public var kind: Kind
    /// Empty when ``urlVariable`` names where the URL is.
    public var url: String
    /// The environment variable holding the URL (`url_env:`), read at each attempt: a Slack
    /// webhook's URL is its credential.
    public var urlVariable: String?
    /// The event types notified; ``defaultEvents(for:)`` when the file names none.
    public var events: Set<String>
    /// Only these apps; empty for all. Events without an app (an access refusal of a token
    /// action) pass an app filter only when it is empty.
    public var apps: Set<String> = []
    /// Only these environments; empty for all.
    public var environments: Set<String> = []
    /// The environment variable holding the webhook's HMAC key (`secret_env:`).
    public var secretVariable: String?
    /// GitHub login (lower-cased) → Slack member id, for `<@U…>` mentions.
    public var mentions: [String: String] = [:]
    /// The dashboard messages link to (`https://shiplog.example.org`); nil for no links.
    public var dashboardURL: String?

    public init(name: String, kind: Kind, url: String, events: Set<String>? = nil) {
        self.name = name
        self.kind = kind
        self.url = url
        self.events = events ?? Self.defaultEvents(for: kind)
    }

    /// What the seed wants people told about: failures, automatic rollbacks, timeouts, drift and
    /// refusals. A CDEvents consumer follows the service's whole life, successes included.
    public static func defaultEvents(for kind: Kind) -> Set<String> {
        switch kind {
        case .slack, .webhook: ["DeploymentFailed", "RolledBackAutomatically", "DeploymentTimedOut", "DriftDetected", "AccessDenied"]
        case .cdevents: CDEvent.notifiedTypes
        }
    }

    /// The event types a sink of `kind` can carry: CDEvents has no type for some of ours.
    public static func notifiableTypes(for kind: Kind) -> Set<String> {
        switch kind {
        case .slack, .webhook: Notice.notifiableTypes
        case .cdevents: CDEvent.notifiedTypes
        }
    }

    /// Whether this sink wants `notice`.
    func matches(_ notice: Notice) -> Bool {
        guard events.contains(notice.eventType) else { return false }
        if !apps.isEmpty, !(notice.app.map(apps.contains) ?? false) { return false }
        if !environments.isEmpty, !(notice.environment.map(environments.contains) ?? false) { return false }
        return true
    }
}

/// The `notify:` section: the sinks and how hard to try each delivery.
public struct NotificationSettings: Sendable, Equatable {
    public var sinks: [NotificationSink]
    /// Attempts per delivery before it is given up (`NotificationFailed` with `gave_up`).
    public var maxAttempts: Int
    /// The wait after the first failed attempt; it doubles after each one, up to ``maximumBackoff``.
    public var backoff: Duration
    public var maximumBackoff: Duration

    public init(sinks: [NotificationSink] = [], maxAttempts: Int = 5, backoff: Duration = .seconds(2), maximumBackoff: Duration = .seconds(300)) {
        self.sinks = sinks
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.maximumBackoff = maximumBackoff
    }

    /// The wait after failed attempt number `attempt` (from 1).
    public func backoff(after attempt: Int) -> Duration {
        var wait = backoff
        for _ in 1..<max(attempt, 1) where wait < maximumBackoff { wait *= 2 }
        return min(wait, maximumBackoff)
    }
}
