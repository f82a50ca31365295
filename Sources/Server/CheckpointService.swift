import Foundation
import Ledger
import Logging
import ServiceLifecycle

/// Signs a checkpoint of the log within `interval` of its growing, so that a promise of what the
/// log holds is always close behind its head, whether or not anyone asks for one. A log that did
/// not grow gets no new checkpoint; one size never gets two roots (the store refuses).
struct CheckpointService: Service {
    let store: EventStore
    let signer: NoteSigner
    let interval: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: interval)
                    await signIfGrown()
                }
            }
        } catch is CancellationError {
            logger.debug("checkpoints stopped")
        }
    }

    /// Signs the head when it is past the last checkpoint; a failure is logged and tried again
    /// at the next interval.
    func signIfGrown() async {
        do {
            let (head, signed) = try await store.reading { store in (UInt64(try store.head()?.position ?? 0), try store.latestCheckpointSize() ?? 0) }
            guard head > signed else { return }
            _ = try await store.signCheckpoint(origin: signer.name, signer: signer, time: Date())
            logger.info("checkpoint signed", metadata: ["checkpoint.size": "\(head)"])
        } catch {
            logger.error("checkpoint not signed", metadata: ["error": "\(error)"])
        }
    }
}
