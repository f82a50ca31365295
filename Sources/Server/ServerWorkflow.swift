import Deploy
import Ledger
import Logging

/// The deploying side of the service: the configuration, its drivers and the engine over them.
///
/// Deployments run in the background: ``launch(_:)`` returns the deployment's id as soon as its
/// request is recorded (or the refusal that stopped it), and the flow carries on, each step
/// visible in the ledger. Shutdown waits for them (``finish()``).
public final class ServerWorkflow: Sendable {
    public let configuration: ShiplogConfiguration
    public let drivers: ConfiguredDrivers
    public let engine: DeploymentEngine
    private let running = RunningTasks()

    /// - Parameter wallClock: what the ledger records by; claims' heartbeats and expiry compare with it.
    public init(
        configuration: ShiplogConfiguration, drivers: ConfiguredDrivers, store: EventStore, logger: Logger,
        wallClock: any LedgerClock = SystemClock()
    ) {
        self.configuration = configuration
        self.drivers = drivers
        var engine = DeploymentEngine(configuration: configuration, store: store, drivers: drivers.drivers, clock: drivers.clock)
        engine.checksActors = false
        // An HTTP request does not wait for another deployment: it is refused (409) as busy, after
        // the same checks a waiting CLI makes (a dead or expired holder is closed first).
        engine.queueing.wait = false
        engine.claimClock = wallClock
        engine.logger = logger
        let world = drivers.world
        // The simulated ECS is saved after every step, so the CLI beside the service sees it.
        engine.afterStep = { _, _ in try world?.save() }
        self.engine = engine
    }

    /// The reconciler over this engine.
    public var reconciler: Reconciler {
        Reconciler(engine: engine, detector: DriftDetector(configuration: configuration, ecs: drivers.drivers.ecs))
    }

    /// Starts `operation` in the background and returns the id of the deployment it started (or
    /// of the promotion a queued deploy waits for), once that is recorded.
    ///
    /// - Throws: what refused the operation before it recorded anything (unknown app, missing tag,
    ///   another deployment in flight).
    public func launch(
        _ operation: @escaping @Sendable (DeploymentEngine) async throws -> DeploymentResult,
        finished: @escaping @Sendable (DeploymentResult) -> Void = { _ in }
    ) async throws -> String {
        let (started, announce) = AsyncStream<Result<String, any Error>>.makeStream()
        var engine = self.engine
        let afterStep = engine.afterStep
        engine.afterStep = { step, id in
            if step == .requested { announce.yield(.success(id)) }
            try await afterStep(step, id)
        }
        let world = drivers.world
        let logger = engine.logger
        running.start { [engine] in
            do {
                let result = try await operation(engine)
                announce.yield(.success(result.id))
                finished(result)
                logger.info("deployment finished", metadata: ["deployment.id": "\(result.id)", "deployment.outcome": "\(result.outcome.rawValue)"])
            } catch {
                announce.yield(.failure(error))
            }
            announce.finish()
            try? world?.save()
        }
        for await first in started { return try first.get() }
        throw DeployError.badRequest("the deployment stopped before it was recorded")
    }

    /// Closes deployments whose process died (a previous run of the service, or a CLI).
    public func resumeInterrupted(metadata: EventMetadata) async throws -> [DeploymentResult] {
        try await engine.resumeInterrupted(metadata: metadata)
    }

    /// Waits for the deployments in flight, then saves the simulation.
    public func finish() async {
        await running.waitForAll()
        try? drivers.world?.save()
    }
}
