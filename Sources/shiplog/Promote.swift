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
    @OptionGroup var service: ServiceOptions

    @Argument(help: "The app.")
    var app: String

    @Option(help: ArgumentHelp("How long to wait for ECS.", valueName: "duration"))
    var timeout: DurationArgument?

    func run() async throws {
        if let client = try await service.connect(global.database) {
            try RemoteDeployments.refuseLocalOptions(global, timeout: timeout, queue: queue)
            let body = RemoteDeployments.PromotionBody(
                app: app, onBehalfOf: acting.onBehalfOf, noWait: queue.noWait ? true : nil, overrideFreeze: freeze.overrideFreeze)
            return try await RemoteDeployments.run(
                client, "/api/v1/promotions", body: body, app: app, environment: ShiplogConfiguration.promotionTarget, tag: nil)
        }
        let workflow = try await Workflow.open(global, acting: acting, app: app, environment: ShiplogConfiguration.promotionTarget, timeout: timeout, queue: queue)
        try await workflow.resumeInterrupted()
        try await workflow.run { engine in try await engine.promote(app: app, overrideFreeze: freeze.overrideFreeze, metadata: workflow.metadata) }
    }
}
