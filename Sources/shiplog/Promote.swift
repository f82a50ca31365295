import ArgumentParser
import Deploy

struct Promote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy to production what staging runs.",
        discussion: "Deploys exactly the image digests staging runs; maintainers only. Staging deploys asked for while the promotion runs are queued, and deployed in order after it."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var queue: QueueOptions
    @OptionGroup var freeze: FreezeOptions

    @Argument(help: "The app.")
    var app: String

    @Option(help: ArgumentHelp("How long to wait for ECS.", valueName: "duration"))
    var timeout: DurationArgument?

    func run() async throws {
        let workflow = try await Workflow.open(global, acting: acting, app: app, environment: ShiplogConfiguration.promotionTarget, timeout: timeout, queue: queue)
        try await workflow.resumeInterrupted()
        try await workflow.run { engine in try await engine.promote(app: app, overrideFreeze: freeze.overrideFreeze, metadata: workflow.metadata) }
    }
}
