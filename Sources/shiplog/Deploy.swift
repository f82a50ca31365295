import ArgumentParser
import Deploy
import Ledger

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a tag of an app to an environment.",
        discussion: """
            Verifies the tag for every image, renders the template family's latest revision, registers it, \
            points the service at it and waits until ECS reports it stable (or rolled back, or timed out), \
            then checks the environment's version endpoint. With --resume it closes an interrupted deployment \
            instead. While another deployment holds the environment \
            it waits (--no-wait refuses instead); a newer request for the same app and environment supersedes \
            a waiting one. Exit 0 succeeded or queued behind a promotion, 1 failed, 2 timed out, 3 rolled \
            back by ECS's circuit breaker, 4 superseded while waiting, 5 gave up waiting (--wait-timeout).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var queue: QueueOptions
    @OptionGroup var freeze: FreezeOptions
    @OptionGroup var service: ServiceOptions

    @Argument(help: "The app, as shiplog.yml names it.")
    var app: String?

    @Option(name: [.customLong("environment"), .customLong("env")], help: "The environment.")
    var environment: String?

    @Option(help: "The image tag to deploy (a commit SHA, or rel-YYYY.MM.DD.HH.MM.SS).")
    var tag: String?

    @Option(help: .choosing("Why the deployment happens", Trigger.self))
    var trigger: Trigger = .manual

    @Option(name: .customLong("require-env"), help: ArgumentHelp("A variable the code needs; refuse if the template lacks it (repeatable).", valueName: "NAME"))
    var requiredVariables: [String] = []

    @Option(help: ArgumentHelp("How long to wait for ECS (else SHIPLOG_STABLE_TIMEOUT, else stable_timeout, else 15m).", valueName: "duration"))
    var timeout: DurationArgument?

    @Option(help: ArgumentHelp("Close this interrupted deployment from ECS's actual state instead of deploying.", valueName: "id"))
    var resume: String?

    func validate() throws {
        if resume != nil {
            if app != nil || tag != nil { throw ValidationError("--resume takes no app or --tag") }
            return
        }
        guard app != nil else { throw ValidationError("name the app to deploy (or --resume an interrupted deployment)") }
        guard environment != nil else { throw ValidationError("--env is required") }
        guard let tag, !tag.isEmpty else { throw ValidationError("--tag is required") }
    }

    func run() async throws {
        if let client = try await service.connect(global.database) { return try await run(through: client) }
        let workflow = try await Workflow.open(global, acting: acting, app: app, environment: environment, timeout: timeout, queue: queue)
        if let resume {
            let result = try await workflow.engine.resume(resume, metadata: workflow.metadata)
            return try workflow.conclude(result)
        }
        try await workflow.resumeInterrupted()
        try await workflow.run { engine in
            try await engine.deploy(
                app: app ?? "", environment: environment ?? "", tag: tag ?? "", trigger: trigger.deploymentTrigger,
                requiredVariables: requiredVariables, overrideFreeze: freeze.overrideFreeze, metadata: workflow.metadata)
        }
    }
}

extension DeployCommand {
    /// The same deploy, run by the service and followed here.
    private func run(through client: ServiceClient) async throws {
        if resume != nil { throw CommandFailure("--resume closes a deployment a local process left; the service resumes its own when it starts") }
        try RemoteDeployments.refuseLocalOptions(global, timeout: timeout, queue: queue)
        let app = app ?? "", environment = environment ?? "", tag = tag ?? ""
        let body = RemoteDeployments.DeployBody(
            app: app, environment: environment, tag: tag, trigger: trigger.rawValue, requiredVariables: requiredVariables.isEmpty ? nil : requiredVariables,
            onBehalfOf: acting.onBehalfOf, noWait: queue.noWait ? true : nil, overrideFreeze: freeze.overrideFreeze)
        try await RemoteDeployments.run(client, "/api/v1/deployments", body: body, app: app, environment: environment, tag: tag)
    }

    /// The triggers a person gives; shiplog's own flows record the others (rollback, promotion, reconcile).
    enum Trigger: String, CaseIterable, ExpressibleByArgument {
        case merge, release, manual

        var deploymentTrigger: DeploymentTrigger {
            switch self {
            case .merge: .merge
            case .release: .release
            case .manual: .manual
            }
        }
    }
}
