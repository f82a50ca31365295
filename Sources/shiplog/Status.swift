import ArgumentParser
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
    }
}
