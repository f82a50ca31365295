import ArgumentParser
import Foundation
import Ledger

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deployment attempts, newest first.",
        discussion: """
            With --id, every event of the deployment in the order it was recorded: shiplog's steps, what ECS reported \
            during the rollout (with ECS's own time), the tasks that stopped with their reasons and exit codes, and the outcome.
            """)

    @OptionGroup var global: DatabaseOptions
    @OptionGroup var service: ServiceOptions

    @Option(help: "Show this deployment's timeline (deployment-api-staging-3, or api-staging-3).")
    var id: String?

    @Option(help: "Only this app.")
    var app: String?

    @Option(name: [.customLong("environment"), .customLong("env")], help: "Only this environment.")
    var environment: String?

    @Option(help: "Only deployments by this person (a bot's deployments count for the person it acted for).")
    var actor: String?

    @Option(help: .choosing("Only deployments with this outcome", DeploymentOutcome.self))
    var outcome: DeploymentOutcome?

    @Option(help: "Only deployments started at or after this time (2026-11-27 or ISO 8601).", transform: TimeBound.init)
    var since: TimeBound?

    @Option(help: "Only deployments started before this time.", transform: TimeBound.init)
    var until: TimeBound?

    @Option(help: "At most this many (1...10000).")
    var limit: Int = 50

    @Option(help: .choosing("A table for people, JSON or CSV for programs", OutputFormat.self))
    var format: OutputFormat = .table

    func validate() throws {
        if !(1...10_000).contains(limit) { throw ValidationError("--limit must be between 1 and 10000") }
    }

    func run() async throws {
        if let client = try service.client(global) { return try await run(through: client) }
        let store = try global.openStore(.readOnly)
        if let given = id {
            let id = Self.streamID(given)
            guard let record = try store.deployments(DeploymentFilter(id: id, limit: 1)).first else { throw Self.unknown(given) }
            return try timeline(record, events: try store.events(EventFilter(stream: id)))
        }
        try list(try store.deployments(filter))
    }

    /// The same through the service: its history a page at a time, or one deployment with its events.
    private func run(through client: ServiceClient) async throws {
        if let id {
            guard let found = try await client.deployment(Self.streamID(id)) else { throw Self.unknown(id) }
            return try timeline(found.record, events: found.events)
        }
        try list(try await client.deployments(filter))
    }

    private var filter: DeploymentFilter {
        DeploymentFilter(app: app, environment: environment, actor: actor, outcome: outcome, since: since?.timestamp, until: until?.timestamp, limit: limit)
    }

    private func list(_ records: [DeploymentRecord]) throws {
        let listing = Listing(
            columns: ["id", "app", "env", "tag", "trigger", "actor", "via", "started at", "duration", "outcome", "failure", "rolled back to"],
            rows: records
        ) { record in
            [record.id, record.app, record.environment, record.tag, record.trigger, record.actor, record.via, record.startedAt,
             record.durationMs.map(formatDuration), record.outcome.rawValue,
             record.failureStage.map { stage in "\(stage): \(record.failureReason ?? "")" }, record.rolledBackTo]
        }
        emit(try listing.render(format))
    }

    /// Prints one deployment's timeline: its record in a line, then its events.
    private func timeline(_ record: DeploymentRecord, events: [RecordedEvent]) throws {
        let timeline = DeploymentTimeline(events: events)
        let listing = Listing(columns: ["#", "recorded at", "ecs time", "event", "actor", "what"], rows: timeline.entries) { entry in
            [String(entry.version), entry.recordedAt, entry.ecsTime, entry.type, entry.actor, entry.summary]
        }
        if format == .table {
            let failure = record.failureStage.map { " (\($0): \(record.failureReason ?? ""))" } ?? ""
            emit("\(record.id): \(record.app) to \(record.environment), \(record.tag), \(record.outcome.rawValue)\(failure)")
        }
        emit(try listing.render(format))
    }

    /// `deployment-api-staging-3` for `api-staging-3`.
    private static func streamID(_ given: String) -> String {
        given.hasPrefix("deployment-") ? given : "deployment-\(given)"
    }

    private static func unknown(_ given: String) -> CommandFailure {
        CommandFailure("no deployment '\(given)' in the ledger")
    }
}

/// A `--since`/`--until` time, spelled as the log's timestamps are.
struct TimeBound {
    let timestamp: String

    /// Reads a date (2026-11-27) or an ISO 8601 time; ArgumentParser names the option it refuses.
    init(_ text: String) throws {
        guard let date = Timestamp.date(from: text) else { throw Invalid() }
        timestamp = Timestamp.string(from: date)
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String { "must be a date (2026-11-27) or an ISO 8601 time (2026-11-27T10:00:00Z)" }
    }
}

func formatDuration(_ milliseconds: Int64) -> String {
    let seconds = milliseconds / 1000
    return seconds >= 60 ? "\(seconds / 60)m\(String(format: "%02d", seconds % 60))s" : "\(seconds).\(milliseconds % 1000 / 100)s"
}

/// The ledger's outcomes, as the API's `outcome` filter spells them.
extension DeploymentOutcome: ExpressibleByArgument {}
