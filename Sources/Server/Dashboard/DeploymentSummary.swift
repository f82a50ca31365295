import Ledger

/// One deployment as the pages show it: a row of the latest deployments, and the record at the
/// top of its own page. Stored properties only: Mustache reads them by reflection.
struct DeploymentSummary: Sendable {
    let id: String
    let app: String
    let environment: String
    let tag: String
    let trigger: String
    /// The person who counts (the one a bot acted for), or `unknown`.
    let actor: String
    let via: String?
    let commit: String?
    let source: String?
    /// `source` when it is an http(s) URL: only those become links, never `javascript:` and the like.
    let sourceLink: String?
    let startedAt: String
    let startedAtText: String
    let endedAt: String?
    let endedAtText: String?
    let duration: String?
    let status: StatusBadge
    /// The failed stage and the reason, as one line.
    let failure: String?
    let rolledBackTo: String?
    let taskDefinitionArn: String?

    init(_ record: DeploymentRecord) {
        id = record.id
        app = record.app
        environment = record.environment
        tag = record.tag
        trigger = record.trigger
        actor = record.actor ?? "unknown"
        via = record.via
        commit = record.commit
        source = record.source
        sourceLink = record.source.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil }
        startedAt = record.startedAt
        startedAtText = DisplayText.time(record.startedAt)
        endedAt = record.endedAt
        endedAtText = DisplayText.time(record.endedAt)
        duration = DisplayText.duration(milliseconds: record.durationMs)
        status = StatusBadge(outcome: record.outcome)
        switch (record.failureStage, record.failureReason) {
        case let (stage?, reason?): failure = "\(stage): \(reason)"
        case let (stage, reason): failure = reason ?? stage
        }
        rolledBackTo = record.rolledBackTo
        taskDefinitionArn = record.taskDefinitionArn
    }
}
