import ArgumentParser

@main
struct Shiplog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shiplog",
        abstract: "The deployment ledger for AWS ECS: every deploy, failure and rollback, recorded and verifiable.",
        version: "0.1.0",
        subcommands: [
            Init.self, DeployCommand.self, Rollback.self, Promote.self, Template.self, Events.self, Status.self, History.self,
            Audit.self, Drift.self, Reconcile.self, Verify.self, Rebuild.self,
            Export.self, Proof.self, Keys.self, CheckpointCommand.self, Tiles.self, AuditVerify.self, Serve.self, Token.self,
        ]
    )

    /// Accepts the global options before the subcommand too (`shiplog --db x status`).
    static func main() async {
        let arguments = GlobalOptions.movingLeadingOptions(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
