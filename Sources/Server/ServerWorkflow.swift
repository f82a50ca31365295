import Clocks
import Deploy
import Ledger
import Logging
import Simulation
import Synchronization

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
    /// Set when the service stops: requests still waiting for an environment give up (recorded).
    private let stopping = StopFlag()

    /// - Parameter wallClock: what the ledger records by; claims' heartbeats and expiry compare with it.
    public init(
        configuration: ShiplogConfiguration, drivers: ConfiguredDrivers, store: EventStore, logger: Logger,
        wallClock: any ShiplogClock = SystemClock()
    ) {
        self.configuration = configuration
        self.drivers = drivers
        var engine = drivers.engine(configuration, store: store, wallClock: wallClock)
        engine.checksActors = false
        // An HTTP request queues behind another deployment as the CLI does (each launch says
        // whether to wait: `no_wait` refuses as busy, 409, after the same checks).
        let stopping = stopping
        engine.queueing.stopsWaiting = { stopping.isSet }
        engine.logger = logger
        self.engine = engine
    }

    /// The freezes the configured environments are in now, staging before production.
    public var activeFreezes: [ActiveFreeze] {
        let names = Set(configuration.apps.values.flatMap(\.environments.keys))
        let pipeline = [ShiplogConfiguration.promotionSource, ShiplogConfiguration.promotionTarget].filter(names.contains)
        return (pipeline + names.subtracting(pipeline).sorted()).compactMap { engine.activeFreeze(environment: $0) }
    }

    /// The reconciler over this engine.
    public var reconciler: Reconciler {
        drivers.reconciler(engine)
    }

    /// What a launched operation did first.
    public enum Launched: Sendable, Equatable {
        /// Recorded its request: the deployment (or the promotion a queued staging deploy waits for).
        case started(String)
        /// Waits for the environment, recorded as `DeploymentQueued` with this request id.
        case queued(request: String)
    }

    /// Starts `operation` in the background and returns, once it is recorded, the deployment it
    /// started, or the request it queued when another deployment holds the environment (it then
    /// runs when that one is done, unless a newer request supersedes it).
    ///
    /// - Parameter wait: false refuses as busy instead of queueing (`no_wait`).
    /// - Throws: what refused the operation before it recorded anything (unknown app, missing tag,
    ///   another deployment in flight when not waiting).
    public func launch(
        wait: Bool = true,
        _ operation: @escaping @Sendable (DeploymentEngine) async throws -> DeploymentResult,
        finished: @escaping @Sendable (DeploymentResult) -> Void = { _ in }
    ) async throws -> Launched {
        let (started, announce) = AsyncStream<Result<Launched, any Error>>.makeStream()
        var engine = self.engine
        engine.queueing.wait = wait
        let afterStep = engine.afterStep
        engine.afterStep = { step, id in
            if step == .requested { announce.yield(.success(.started(id))) }
            try await afterStep(step, id)
        }
        let progress = engine.progress
        engine.progress = { step in
            if step.step == DeploymentQueued.eventType { announce.yield(.success(.queued(request: step.deploymentId))) }
            progress(step)
        }
        let world = drivers.world
        let logger = engine.logger
        running.start { [engine] in
            do {
                let result = try await operation(engine)
                announce.yield(.success(.started(result.id)))
                finished(result)
                logger.info("deployment finished", metadata: ["deployment.id": "\(result.id)", "deployment.outcome": "\(result.outcome.rawValue)"])
            } catch {
                announce.yield(.failure(error))
                logger.notice("deployment not run", metadata: ["error": "\(error)"])
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

    /// Waits for the deployments in flight, then saves the simulation; requests still waiting
    /// for an environment give up, recorded as `DeploymentQueueTimedOut`, rather than hold the stop.
    public func finish() async {
        stopping.set()
        await running.waitForAll()
        try? drivers.world?.save()
    }
}

/// A flag set once, read from any thread.
final class StopFlag: Sendable {
    private let value = Atomic(false)

    var isSet: Bool { value.load(ordering: .relaxed) }

    func set() { value.store(true, ordering: .relaxed) }
}
