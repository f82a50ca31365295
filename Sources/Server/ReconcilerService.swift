import AWS
import Clocks
import Deploy
import Ledger
import Logging
import ServiceLifecycle
import Simulation

/// The reconciler's loop as one of the service's long-running parts: it reconciles on the
/// configured interval while it holds the lease, and gives the lease up on graceful shutdown.
struct ReconcilerService: Service {
    let workflow: ServerWorkflow
    let logger: Logger

    func run() async throws {
        var loop = ReconcileLoop(reconciler: workflow.reconciler, interval: workflow.configuration.reconcileInterval)
        let clock = workflow.engine.clock, world = workflow.drivers.world, logger = logger
        // On the simulated drivers the engine's clock is virtual: wait in real time and move the
        // simulation on by as much, so rollouts progress between passes as they would on ECS.
        loop.sleep = { duration in
            try await Task.sleep(for: duration)
            if world != nil { try await clock.sleep(for: duration) }
            try world?.save()
        }
        loop.report = { event in
            switch event {
            case .passed(let pass):
                logger.info("reconcile pass", metadata: [
                    "reconcile.services": "\(pass.drift.services.count)", "reconcile.drifting": "\(pass.drift.drifted.count)",
                    "reconcile.corrected": "\(pass.corrections.count)",
                ])
            case .waitingForLease(let holder, let until):
                logger.info("reconciler waits for the lease", metadata: ["lease.holder": "\(holder)", "lease.until": "\(until)"])
            case .throttled(let backoff, let message):
                logger.warning("reconciler throttled by ECS", metadata: ["reconcile.backoff": "\(backoff)", "error": "\(message)"])
            case .fenced(let reason):
                logger.critical("reconciler stopped correcting: the ledger refuses this service's writes", metadata: ["error": "\(reason)"])
            }
        }
        let metadata = EventMetadata(actor: "shiplog-reconciler", authMethod: "service")
        let configured = loop
        do {
            try await cancelWhenGracefulShutdown { try await configured.run(metadata: metadata) }
        } catch is CancellationError {
            logger.info("reconciler stopped; lease released")
        }
    }
}
