import Ledger
import Logging
import Notifications
import ServiceLifecycle

/// The notifier as one of the service's long-running parts, beside the reconciler: it delivers
/// the configured notifications until graceful shutdown. It shares nothing with the request and
/// deploy paths but the ledger, so a slow or dead receiver holds up only its own sink.
struct NotifierService: Service {
    let notifier: Notifier
    let logger: Logger

    func run() async throws {
        var notifier = self.notifier
        let logger = logger
        notifier.logger = logger
        notifier.report = { report in
            switch report {
            case .subscribed(let sink, let position):
                logger.info("notifications subscribed", metadata: ["notify.sink": "\(sink)", "notify.position": "\(position)"])
            case .delivered(let delivered):
                logger.info("notification delivered", metadata: [
                    "notify.sink": "\(delivered.sink)", "notify.delivery": "\(delivered.deliveryId)", "notify.attempt": "\(delivered.attempt)",
                ])
            case .failed(let failed):
                logger.warning("notification failed", metadata: [
                    "notify.sink": "\(failed.sink)", "notify.delivery": "\(failed.deliveryId)", "notify.attempt": "\(failed.attempt)",
                    "notify.gave_up": "\(failed.gaveUp)", "error": "\(failed.reason)",
                ])
            case .waitingForLease(let holder, let until):
                logger.notice("notifications delivered elsewhere", metadata: ["notify.lease_holder": "\(holder)", "notify.lease_until": "\(until)"])
            case .fenced(let reason):
                logger.critical("notifier stopped delivering: the ledger refuses this service's writes", metadata: ["error": "\(reason)"])
            }
        }
        let configured = notifier
        do {
            try await cancelWhenGracefulShutdown { try await configured.run() }
        } catch is CancellationError {
            logger.info("notifier stopped")
        }
    }
}
