import Access
import ArgumentParser
import Deploy
import Foundation
import Ledger

/// Where the ledger is: every command takes it.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger database (else env SHIPLOG_DB, else ./shiplog.sqlite).", valueName: "path"))
    var db: String?

    /// The one resolution of the ledger's path: `--db`, else `SHIPLOG_DB`, else the configuration's
    /// `database:` (relative to the configuration file) when the command reads one, else
    /// `./shiplog.sqlite`. An empty `SHIPLOG_DB` counts as unset, as the other `SHIPLOG_*` do.
    func path(configuration: ShiplogConfiguration? = nil) -> String {
        if let db { return db }
        if let path = ProcessInfo.processInfo.environment["SHIPLOG_DB"], !path.isEmpty { return path }
        if let configuration, let database = configuration.database { return Self.relative(database, to: configuration.file) }
        return "shiplog.sqlite"
    }

    func openStore(_ access: EventStore.Access) throws -> EventStore {
        try EventStore(path: path(), access: access)
    }

    private static func relative(_ path: String, to configPath: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        let directory = (configPath as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
    }
}

/// Options of the commands that write: the ledger, and who is acting.
///
/// Read commands take only ``DatabaseOptions``: there `--actor` filters by actor.
struct GlobalOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Who is acting (else env SHIPLOG_ACTOR, else GITHUB_ACTOR).")
    var actor: String?

    @Option(name: .long, help: ArgumentHelp("The configuration file (else env SHIPLOG_CONFIG, else ./shiplog.yml).", valueName: "path"))
    var config: String?

    /// `--config`, else `SHIPLOG_CONFIG`, else `./shiplog.yml`.
    var configPath: String {
        config ?? ProcessInfo.processInfo.environment["SHIPLOG_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "shiplog.yml"
    }

    func validate() throws {
        if let actor, !NameRule.isValid(actor) { throw ValidationError(NameRule.problem(actor, what: "--actor")) }
    }

    /// Refuses `--actor` and `--config` for a command working through a service: it has its own
    /// configuration and takes who acts from the token.
    func refuseThroughService() throws {
        if actor != nil { throw CommandFailure("--actor names who acts on a local ledger; a service takes it from the token") }
        if config != nil { throw CommandFailure("--config is the service's own configuration when working through --server") }
    }

    /// The ledger of a command that does not load the configuration.
    var databasePath: String { database.path() }

    /// The ledger of a command that loaded `configuration`.
    func databasePath(for configuration: ShiplogConfiguration) -> String {
        database.path(configuration: configuration)
    }

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
        guard let reason = try await accessPolicy().refusal(action, by: principal, onBehalfOf: metadata.onBehalfOf) else { return }
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
