import ArgumentParser
import Ledger

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What runs where: the state of every app in every environment.")

    @OptionGroup var global: DatabaseOptions

    @Option(help: "Only this app.")
    var app: String?

    @Option(name: .customLong("env"), help: "Only this environment.")
    var environment: String?

    @Option(help: "table, json or csv.")
    var format: OutputFormat = .table

    func run() async throws {
        let store = try global.openStore(.readOnly)
        let states = try store.environmentStates().filter {
            (app == nil || $0.app == app) && (environment == nil || $0.environment == environment)
        }
        let listing = Listing(
            columns: ["app", "env", "tag", "revision", "task definition", "deployed by", "deployed at", "in progress", "last outcome"],
            rows: states
        ) { state in
            [state.app, state.environment, state.tag, state.revision.map(String.init), state.taskDefinitionArn,
             state.deployedBy, state.deployedAt, state.deploymentInProgress, state.lastOutcome]
        }
        emit(try listing.render(format))
    }
}
