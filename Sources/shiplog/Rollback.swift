import ArgumentParser
import Deploy
import Ledger

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Roll an environment back to a tag (maintainers only; a refusal is recorded).",
        discussion: "Reuses a revision of the family that already runs exactly those images, else deploys the tag as usual."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var queue: QueueOptions

    @Argument(help: "The app.")
    var app: String

    @Option(name: .customLong("env"), help: "The environment.")
    var environment: String

    @Option(help: "The tag to go back to; it must exist for every image of the app.")
    var tag: String

    @Option(help: "How long to wait for ECS.")
    var timeout: String?

    func run() async throws {
        let workflow = try await Workflow.open(global, acting: acting, app: app, environment: environment, timeout: timeout, queue: queue)
        try await workflow.resumeInterrupted()
        try await workflow.run { engine in try await engine.rollback(app: app, environment: environment, tag: tag, metadata: workflow.metadata) }
    }
}
