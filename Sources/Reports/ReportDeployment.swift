import Ledger

/// One deployment as a report lists it.
public struct ReportDeployment: Codable, Sendable, Equatable {
    public var id: String
    public var app: String
    public var environment: String
    public var tag: String
    public var trigger: String
    /// The person who counts.
    public var actor: String?
    /// The bot that acted for `actor`, if one did.
    public var via: String?
    public var startedAt: String
    public var endedAt: String?
    public var durationMs: Int64?
    /// Longer than the 15 minutes the deployment document says is normal.
    public var overFifteenMinutes: Bool
    public var outcome: DeploymentOutcome
    public var failureStage: String?
    public var failureReason: String?
    public var rolledBackTo: String?
    /// The workflow run URL from the metadata.
    public var source: String?
    public var commit: String?
    public var committedAt: String?
    /// The position of the deployment's request in the log.
    public var position: Int64

    /// Appends the deployment as one JSON object, keys sorted, absent values left out, as the encoder writes them.
    func appendJSON(to bytes: inout [UInt8]) {
        var object = JSONObjectWriter(bytes: &bytes)
        object.string("actor", actor)
        object.string("app", app)
        object.string("commit", commit)
        object.string("committed_at", committedAt)
        object.number("duration_ms", durationMs)
        object.string("ended_at", endedAt)
        object.string("environment", environment)
        object.string("failure_reason", failureReason)
        object.string("failure_stage", failureStage)
        object.string("id", id)
        object.string("outcome", outcome.rawValue)
        object.literal("over_fifteen_minutes", overFifteenMinutes ? "true" : "false")
        object.number("position", position)
        object.string("rolled_back_to", rolledBackTo)
        object.string("source", source)
        object.string("started_at", startedAt)
        object.string("tag", tag)
        object.string("trigger", trigger)
        object.string("via", via)
        object.close(into: &bytes)
    }

    /// The limit the seed document sets: "If it takes longer than 15 then something is probably wrong."
    public static let fifteenMinutesMs: Int64 = 15 * 60 * 1000

    public init(_ record: DeploymentRecord) {
        id = record.id
        app = record.app
        environment = record.environment
        tag = record.tag
        trigger = record.trigger
        actor = record.actor
        via = record.via
        startedAt = record.startedAt
        endedAt = record.endedAt
        // Exact, from the timestamps (the projection's own figure goes through floating-point julian
        // days), unless the engine recorded its own (the simulated ECS's minutes): that one differs
        // from the recorded times' by more than the projection's rounding.
        let recorded = record.endedAt.flatMap { ExactTime.milliseconds(from: record.startedAt, to: $0) }
        durationMs = record.durationMs.flatMap { measured in abs(measured - (recorded ?? measured)) > 1 ? measured : nil } ?? recorded
        overFifteenMinutes = (durationMs ?? 0) > Self.fifteenMinutesMs
        outcome = record.outcome
        failureStage = record.failureStage
        failureReason = record.failureReason
        rolledBackTo = record.rolledBackTo
        source = record.source
        commit = record.commit
        committedAt = record.committedAt
        position = record.position
    }
}
