import Ledger
import Logging
import ServiceLifecycle

/// Keeps the ledger open while the service runs. On graceful shutdown — after the HTTP server
/// has stopped taking requests and finished the ones in flight — it lets running deployments
/// reach their outcome and closes the store, which commits every append already queued.
struct LedgerService: Service {
    let store: EventStore
    let workflow: ServerWorkflow?
    let logger: Logger

    func run() async throws {
        try await gracefulShutdown()
        if let workflow {
            logger.info("waiting for deployments in flight")
            await workflow.finish()
        }
        store.close()
        logger.info("ledger closed")
    }
}
