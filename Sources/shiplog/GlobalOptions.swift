import Access
import ArgumentParser
import Deploy
import Foundation
import Ledger

/// Where the ledger is: every command takes it.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger database (env SHIPLOG_DB).", valueName: "path"))
    var db: String?

    /// `--db`, else `SHIPLOG_DB`, else `./shiplog.sqlite`.
    var databasePath: String {
        db ?? ProcessInfo.processInfo.environment["SHIPLOG_DB"] ?? "shiplog.sqlite"
    }

    func openStore(_ access: EventStore.Access) throws -> EventStore {
        try EventStore(path: databasePath, access: access)
    }
}

/// Options of the commands that write: the ledger, and who is acting.
///
/// Read commands take only ``DatabaseOptions``: there `--actor` filters by actor.
struct GlobalOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Who is acting (else SHIPLOG_ACTOR, else GITHUB_ACTOR).")
    var actor: String?

    @Option(name: .long, help: ArgumentHelp("The configuration file (env SHIPLOG_CONFIG, else ./shiplog.yml).", valueName: "path"))
    var config: String?

    /// `--config`, else `SHIPLOG_CONFIG`, else `./shiplog.yml`.
    var configPath: String {
        config ?? ProcessInfo.processInfo.environment["SHIPLOG_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "shiplog.yml"
    }

    func validate() throws {
        if let actor, !NameRule.isValid(actor) { throw ValidationError(NameRule.problem(actor, what: "--actor")) }
    }

    /// `--db` as given, nil when absent.
    var db: String? { database.db }

    var databasePath: String { database.databasePath }

    /// The actor and, inside GitHub Actions, the run URL and commit.
    var metadata: EventMetadata {
        EventMetadata.fromContext(actor: actor, environment: ProcessInfo.processInfo.environment)
    }

    func openStore(_ access: EventStore.Access) throws -> EventStore {
        try database.openStore(access)
    }

    /// The actor as the access policy sees it.
    var principal: Principal {
        Principal(name: metadata.actor ?? "", credential: .cli)
    }

    /// Refuses the actor an action its role (by ``accessPolicy()``) falls short of, recording the
    /// refusal as the API does.
    func authorize(_ action: Permissions.Action, in store: EventStore) async throws {
        guard let reason = try accessPolicy().refusal(action, by: principal, onBehalfOf: metadata.onBehalfOf) else { return }
        let refusal = AccessRefusal(action, reason: reason)
        if !principal.name.isEmpty { try await refusal.record(in: store, metadata: metadata) }
        throw refusal
    }

    /// The configuration's policy, when there is a configuration (`--config` or `SHIPLOG_CONFIG`
    /// must name one that exists; `./shiplog.yml` is optional). Without one nobody is named, and
    /// the actor, who holds the ledger file, is trusted as a maintainer.
    func accessPolicy() throws -> AccessPolicy {
        let named = config != nil || ProcessInfo.processInfo.environment["SHIPLOG_CONFIG"].map { !$0.isEmpty } == true
        guard named || FileManager.default.fileExists(atPath: configPath) else { return .unconfigured }
        return try ShiplogConfiguration.load(path: configPath).accessPolicy
    }
}

extension GlobalOptions {
    static let names: Set<String> = ["--db", "--actor", "--config"]

    /// Moves global options written before the subcommand to after it, where
    /// the subcommand's `@OptionGroup` parses them.
    static func movingLeadingOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if names.contains(first), rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if let name = first.split(separator: "=").first, names.contains(String(name)), first.contains("=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        return Array(rest) + leading
    }
}
