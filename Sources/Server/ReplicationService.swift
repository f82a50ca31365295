import Ledger
import Logging
import Replication
import ServiceLifecycle

/// Runs the ledger's replication beside the service. On graceful shutdown it is the last to
/// stop: once the ledger has committed its last append, Litestream ships what is left and the
/// lease is given up.
struct ReplicationService: Service {
    let replicator: Replicator
    let store: EventStore
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await replicator.run(store: store)
        }
        await replicator.shutdown()
    }
}
