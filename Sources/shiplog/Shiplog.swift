import ArgumentParser

@main
struct Shiplog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shiplog",
        abstract: "The deployment ledger for AWS ECS.",
        discussion: """
            Every deploy, failure and rollback, recorded and verifiable. Options such as --db go after the subcommand: \
            `shiplog status --db ledger.sqlite`.
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, DeployCommand.self, Rollback.self, Promote.self, VerificationCommand.self, Template.self, Events.self, Status.self, History.self,
            Audit.self, Drift.self, Reconcile.self, Verify.self, Rebuild.self,
            Export.self, Proof.self, Keys.self, CheckpointCommand.self, Tiles.self, AuditVerify.self, Serve.self, Restore.self, Token.self, Notify.self,
            Flush.self,
        ]
    )
}
