import ArgumentParser
import Foundation
import Ledger

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Deployment attempts, newest first.")

    static let outcomes = ["in_progress", "succeeded", "failed", "timed_out", "rolled_back"]

    @OptionGroup var global: DatabaseOptions

    @Option(help: "Only this app.")
    var app: String?

    @Option(name: .customLong("env"), help: "Only this environment.")
    var environment: String?

    @Option(help: "Only deployments by this person (a bot's deployments count for the person it acted for).")
    var actor: String?

    @Option(help: "Only this outcome: in_progress, succeeded, failed, timed_out, rolled_back.")
    var status: String?

    @Option(help: "Only deployments started at or after this time (2026-11-27 or ISO 8601).")
    var since: String?

    @Option(help: "Only deployments started before this time.")
    var until: String?

    @Option(help: "At most this many (1...10000).")
    var limit: Int = 50

    @Option(help: "table, json or csv.")
    var format: OutputFormat = .table

    func validate() throws {
        if let status, !Self.outcomes.contains(status) {
            throw ValidationError("--status must be one of \(Self.outcomes.joined(separator: ", ")), not '\(status)'")
        }
        if !(1...10_000).contains(limit) { throw ValidationError("--limit must be between 1 and 10000") }
        _ = try timeBound(since, "--since")
        _ = try timeBound(until, "--until")
    }

    func run() async throws {
        let store = try global.openStore(.readOnly)
        let filter = DeploymentFilter(
            app: app, environment: environment, actor: actor, outcome: status,
            since: try timeBound(since, "--since"), until: try timeBound(until, "--until"), limit: limit)
        let records = try store.deployments(filter)
        let listing = Listing(
            columns: ["id", "app", "env", "tag", "trigger", "actor", "via", "started at", "duration", "outcome", "failure", "rolled back to"],
            rows: records
        ) { record in
            [record.id, record.app, record.environment, record.tag, record.trigger, record.actor, record.via, record.startedAt,
             record.durationMs.map(formatDuration), record.outcome,
             record.failureStage.map { stage in "\(stage): \(record.failureReason ?? "")" }, record.rolledBackTo]
        }
        emit(try listing.render(format))
    }
}

/// Normalises a `--since`/`--until` value to the log's timestamp format.
func timeBound(_ value: String?, _ flag: String) throws -> String? {
    guard let value else { return nil }
    guard let date = Timestamp.date(from: value) else {
        throw ValidationError("\(flag) must be a date (2026-11-27) or an ISO 8601 time (2026-11-27T10:00:00Z), not '\(value)'")
    }
    return Timestamp.string(from: date)
}

func formatDuration(_ milliseconds: Int64) -> String {
    let seconds = milliseconds / 1000
    return seconds >= 60 ? "\(seconds / 60)m\(String(format: "%02d", seconds % 60))s" : "\(seconds).\(milliseconds % 1000 / 100)s"
}
