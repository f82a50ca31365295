import ArgumentParser
import Ledger

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Who did what: every action by an actor, refusals included, newest first.")

    @OptionGroup var global: DatabaseOptions

    @Option(help: "Only actions by this person.")
    var actor: String?

    @Option(help: "Only this action (deploy, rollback, template.change, token.issue, ...).")
    var action: String?

    @Flag(help: "Only refusals.")
    var denied = false

    @Option(help: "Only actions at or after this time.")
    var since: String?

    @Option(help: "Only actions before this time.")
    var until: String?

    @Option(help: "At most this many (1...10000).")
    var limit: Int = 100

    @Option(help: "table, json or csv.")
    var format: OutputFormat = .table

    func validate() throws {
        if !(1...10_000).contains(limit) { throw ValidationError("--limit must be between 1 and 10000") }
        _ = try timeBound(since, "--since")
        _ = try timeBound(until, "--until")
    }

    func run() async throws {
        let store = try global.openStore(.readOnly)
        let entries = try store.audit(AuditFilter(
            actor: actor, action: action, outcome: denied ? "denied" : nil,
            since: try timeBound(since, "--since"), until: try timeBound(until, "--until"), limit: limit))
        let listing = Listing(
            columns: ["position", "at", "actor", "via", "action", "app", "env", "target", "outcome", "detail"],
            rows: entries
        ) { entry in
            [String(entry.position), entry.recordedAt, entry.actor, entry.via, entry.action, entry.app, entry.environment,
             entry.target, entry.outcome, entry.detail]
        }
        emit(try listing.render(format))
    }
}
