import ArgumentParser
import Ledger

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Who did what, refusals included, newest first.")

    @OptionGroup var global: DatabaseOptions
    @OptionGroup var service: ServiceOptions

    @Option(help: "Only actions by this person.")
    var actor: String?

    @Option(help: "Only this action (deploy, rollback, template.change, token.issue, ...).")
    var action: String?

    @Option(help: .choosing("Only actions with this outcome (denied: the refusals)", AuditOutcome.self))
    var outcome: AuditOutcome?

    @Option(help: "Only actions at or after this time.", transform: TimeBound.init)
    var since: TimeBound?

    @Option(help: "Only actions before this time.", transform: TimeBound.init)
    var until: TimeBound?

    @Option(help: "At most this many (1...10000).")
    var limit: Int = 100

    @Option(help: .choosing("A table for people, JSON or CSV for programs", OutputFormat.self))
    var format: OutputFormat = .table

    func validate() throws {
        if !(1...10_000).contains(limit) { throw ValidationError("--limit must be between 1 and 10000") }
    }

    func run() async throws {
        let filter = AuditFilter(actor: actor, action: action, outcome: outcome, since: since?.timestamp, until: until?.timestamp, limit: limit)
        let entries: [AuditEntry]
        if let client = try service.client(global) {
            entries = try await client.audit(filter)
        } else {
            entries = try global.openStore(.readOnly).audit(filter)
        }
        let listing = Listing(
            columns: ["position", "at", "actor", "via", "action", "app", "env", "target", "outcome", "detail"],
            rows: entries
        ) { entry in
            [String(entry.position), entry.recordedAt, entry.actor, entry.via, entry.action, entry.app, entry.environment,
             entry.target, entry.outcome.rawValue, entry.detail]
        }
        emit(try listing.render(format))
    }
}

/// The audit's outcomes, as the API's `outcome` filter spells them.
extension AuditOutcome: ExpressibleByArgument {}
