import ArgumentParser
import Foundation

/// Where a running shiplog service is, for the commands that can work through one instead of a
/// local ledger file (a CI runner's disk vanishes with its job; the service's does not).
struct ServiceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Work through this running shiplog service instead of a local ledger (else env SHIPLOG_URL).", valueName: "url"))
    var server: String?

    @Option(help: ArgumentHelp(
        "With a service: where appends wait while it cannot be reached (else env SHIPLOG_SPOOL, else one file per service under $XDG_STATE_HOME/shiplog/spool).",
        valueName: "path"))
    var spool: String?

    @Option(help: ArgumentHelp(
        "With a service: how long an answer may take before it counts as unreachable, e.g. 30s (else env SHIPLOG_SERVER_TIMEOUT, else 60s).",
        valueName: "duration"))
    var serverTimeout: DurationArgument?

    /// The service's client when one is named: `--server`, else `SHIPLOG_URL` unless `--db` names
    /// a local ledger; `nil` for a local ledger. `--server` with `--db` is refused.
    func client(_ database: DatabaseOptions) throws -> ServiceClient? {
        try client(localDatabase: database.db)
    }

    /// ``client(_:)`` for a command with no local ledger to choose instead (`flush`).
    func client(localDatabase db: String? = nil) throws -> ServiceClient? {
        let environment = ProcessInfo.processInfo.environment
        if server != nil, db != nil { throw CommandFailure("--server and --db name two ledgers; give one") }
        if spool != nil, server == nil, environment["SHIPLOG_URL"].map({ $0.isEmpty }) ?? true {
            throw CommandFailure("--spool keeps appends for a service: give --server (or SHIPLOG_URL) too")
        }
        guard let url = server ?? (db == nil ? environment["SHIPLOG_URL"].flatMap { $0.isEmpty ? nil : $0 } : nil) else { return nil }
        return try ServiceClient(url: url, credential: ServiceCredential(environment: environment), timeout: try answerTimeout())
    }

    /// ``client(_:)``, after sending what earlier commands spooled for that service, so what this
    /// command reads or records comes after it.
    func connect(_ database: DatabaseOptions) async throws -> ServiceClient? {
        guard let client = try client(database) else { return nil }
        // Without a place for a spool (no HOME) nothing can have been spooled.
        try await (try? spool(for: client))?.flushFirst(through: client)
        return client
    }

    /// `--server-timeout`, else `SHIPLOG_SERVER_TIMEOUT`, else a minute.
    private func answerTimeout() throws -> Duration {
        let environment = ProcessInfo.processInfo.environment["SHIPLOG_SERVER_TIMEOUT"].flatMap { $0.isEmpty ? nil : $0 }
        let given = try serverTimeout ?? environment.map { text in
            guard let duration = DurationArgument(argument: text) else {
                throw ValidationError("SHIPLOG_SERVER_TIMEOUT must be a duration such as 30s, not '\(text)'")
            }
            return duration
        }
        guard let duration = given?.duration else { return .seconds(60) }
        guard duration > .zero else { throw ValidationError("--server-timeout must be more than 0") }
        return duration
    }

    /// The spool of appends for `client`'s service.
    func spool(for client: ServiceClient) throws -> Spool {
        Spool(path: try Spool.path(option: spool, server: client.baseURL, environment: ProcessInfo.processInfo.environment))
    }
}
