import ArgumentParser
import Foundation

/// Where a running shiplog service is, for the commands that can work through one instead of a
/// local ledger file (a CI runner's disk vanishes with its job; the service's does not).
struct ServiceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Work through this running shiplog service instead of a local ledger (else env SHIPLOG_URL).", valueName: "url"))
    var server: String?

    /// The service's client when one is named: `--server`, else `SHIPLOG_URL` unless `--db` names
    /// a local ledger; `nil` for a local ledger. `--server` with `--db` is refused.
    func client(_ database: DatabaseOptions) throws -> ServiceClient? {
        let environment = ProcessInfo.processInfo.environment
        if server != nil, database.db != nil { throw CommandFailure("--server and --db name two ledgers; give one") }
        guard let url = server ?? (database.db == nil ? environment["SHIPLOG_URL"].flatMap { $0.isEmpty ? nil : $0 } : nil) else { return nil }
        return try ServiceClient(url: url, credential: ServiceCredential(environment: environment))
    }
}
