import ArgumentParser
import Clocks
import Deploy
import Foundation
import Ledger

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What runs where: every app in every environment.")

    @OptionGroup var global: DatabaseOptions
    @OptionGroup var service: ServiceOptions

    @Option(help: "Only this app.")
    var app: String?

    @Option(name: [.customLong("environment"), .customLong("env")], help: "Only this environment.")
    var environment: String?

    @Option(help: .choosing("A table for people, JSON or CSV for programs", OutputFormat.self))
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("The configuration, for its freeze windows (else env SHIPLOG_CONFIG, else ./shiplog.yml when there is one).", valueName: "path"))
    var config: String?

    func run() async throws {
        if let client = try service.client(global) { return try await run(through: client) }
        let store = try global.openStore(.readOnly)
        let lastPass = try store.serviceState(Reconciler.lastPassKey).flatMap { try? JSONDecoder().decode(LastPass.self, from: Data($0.utf8)) }
        try render(try store.environmentStates(), lastPass: lastPass, freezes: format == .table ? activeFreezes(at: SystemClock().now) : [])
    }

    /// The same through the service: its projection, its reconciler's last pass, and the freezes of its configuration.
    private func run(through client: ServiceClient) async throws {
        if config != nil { throw CommandFailure("--config names a local configuration; a service's freezes are its own") }
        let answer = try await client.environments()
        guard let freezes = answer.activeFreezes else {
            throw ServiceError.notShiplog("\(client.baseURL) does not answer /api/v1/environments as a shiplog service does (a freeze's end is not a time)")
        }
        try render(answer.environments, lastPass: answer.lastPass,
                   freezes: freezes.filter { environment == nil || $0.environment == environment }.sorted { $0.environment < $1.environment })
    }

    private func render(_ states: [EnvironmentState], lastPass: LastPass?, freezes: [ActiveFreeze]) throws {
        let states = states.filter { (app == nil || $0.app == app) && (environment == nil || $0.environment == environment) }
        let listing = Listing(
            columns: ["app", "env", "tag", "revision", "task definition", "deployed by", "deployed at", "in progress", "last outcome", "drift"],
            rows: states
        ) { state in
            [state.app, state.environment, state.tag, state.revision.map(String.init), state.taskDefinitionArn,
             state.deployedBy, state.deployedAt, state.deploymentInProgress, state.lastOutcome?.rawValue, state.drift]
        }
        emit(try listing.render(format))
        guard format == .table else { return }
        // The reconciler's last pass, for people; programs read it from `shiplog drift --format json`.
        if let lastPass { emit("\n" + lastPass.summary) }
        // Freezes, for people; programs read them from GET /api/v1/environments.
        for freeze in freezes { emit("\n" + freeze.summary + ": deploys, promotions and reconcile corrections wait") }
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
