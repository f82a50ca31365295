import ArgumentParser
import Clocks
import Deploy
import Foundation
import Ledger

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What runs where: every app in every environment.")

    @OptionGroup var global: DatabaseOptions

    @Option(help: "Only this app.")
    var app: String?

    @Option(name: [.customLong("environment"), .customLong("env")], help: "Only this environment.")
    var environment: String?

    @Option(help: .choosing("A table for people, JSON or CSV for programs", OutputFormat.self))
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("The configuration, for its freeze windows (else env SHIPLOG_CONFIG, else ./shiplog.yml when there is one).", valueName: "path"))
    var config: String?

    func run() async throws {
        let store = try global.openStore(.readOnly)
        let states = try store.environmentStates().filter {
            (app == nil || $0.app == app) && (environment == nil || $0.environment == environment)
        }
        let listing = Listing(
            columns: ["app", "env", "tag", "revision", "task definition", "deployed by", "deployed at", "in progress", "last outcome", "drift"],
            rows: states
        ) { state in
            [state.app, state.environment, state.tag, state.revision.map(String.init), state.taskDefinitionArn,
             state.deployedBy, state.deployedAt, state.deploymentInProgress, state.lastOutcome?.rawValue, state.drift]
        }
        emit(try listing.render(format))
        // The reconciler's last pass, for people; programs read it from `shiplog drift --format json`.
        if format == .table, let text = try store.serviceState(Reconciler.lastPassKey),
           let last = try? JSONDecoder().decode(LastPass.self, from: Data(text.utf8)) {
            emit("\n" + last.summary)
        }
        // Freezes, for people; programs read them from GET /api/v1/environments.
        if format == .table {
            for freeze in try activeFreezes(at: SystemClock().now) { emit("\n" + freeze.summary + ": deploys, promotions and reconcile corrections wait") }
        }
    }

    /// The freezes the configuration's environments (or `--env`) are in at `date`; none without a configuration.
    private func activeFreezes(at date: Date) throws -> [ActiveFreeze] {
        let named = config ?? ProcessInfo.processInfo.environment["SHIPLOG_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let path = named ?? "shiplog.yml"
        guard named != nil || FileManager.default.fileExists(atPath: path) else { return [] }
        let configuration = try ShiplogConfiguration.load(path: path)
        let environments = Set(configuration.apps.values.flatMap(\.environments.keys)).filter { environment == nil || $0 == environment }
        return environments.sorted().compactMap { configuration.activeFreeze(environment: $0, at: date) }
    }
}
