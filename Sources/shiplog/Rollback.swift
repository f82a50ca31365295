import ArgumentParser
import Deploy
import Ledger

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Roll an environment back to a tag.",
        discussion: """
            Maintainers only; a refusal is recorded. \
            Follows the deployment process with the old tag, as a deploy does: renders the current template (so variables \
            added and secrets rotated since are kept), reusing an existing revision only when it is identical to that render. \
            --reuse-revision puts back the newest revision that already runs the tag's images instead, whatever else it holds.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var queue: QueueOptions
    @OptionGroup var service: ServiceOptions

    @Argument(help: "The app.")
    var app: String

    @Option(name: [.customLong("environment"), .customLong("env")], help: "The environment.")
    var environment: String

    @Option(help: "The tag to go back to; it must exist for every image of the app.")
    var tag: String

    @Option(help: ArgumentHelp("How long to wait for ECS.", valueName: "duration"))
    var timeout: DurationArgument?

    @Flag(help: "Reuse the newest revision that runs the tag's images rather than render the current template.")
    var reuseRevision = false

    func run() async throws {
        if let client = try await service.connect(global.database) {
            try RemoteDeployments.refuseLocalOptions(global, timeout: timeout, queue: queue)
            let body = RemoteDeployments.RollbackBody(
                app: app, environment: environment, tag: tag, onBehalfOf: acting.onBehalfOf, reuseRevision: reuseRevision ? true : nil,
                noWait: queue.noWait ? true : nil)
            return try await RemoteDeployments.run(client, "/api/v1/rollbacks", body: body, app: app, environment: environment, tag: tag)
        }
        let workflow = try await Workflow.open(global, acting: acting, app: app, environment: environment, timeout: timeout, queue: queue)
        try await workflow.resumeInterrupted()
        try await workflow.run { engine in
            try await engine.rollback(app: app, environment: environment, tag: tag, reuseRevision: reuseRevision, metadata: workflow.metadata)
        }
    }
}
