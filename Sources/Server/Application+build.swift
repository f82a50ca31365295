import Deploy
import Foundation
import Hummingbird
import HummingbirdCore
import Ledger
import Logging
import Notifications
import Replication
import ServiceLifecycle
import Simulation

/// Opens the ledger (and, with a configuration, the drivers) and assembles the service.
///
/// ```swift
/// let app = try await buildApplication(ServerSettings(databasePath: "shiplog.sqlite", configurationPath: "shiplog.yml"))
/// try await app.runService()
/// ```
public func buildApplication(_ settings: ServerSettings, logger: Logger = Logger(label: "shiplog.server")) async throws -> some ApplicationProtocol {
    let backend = try await buildBackend(settings, logger: logger)
    var services: [any Service] = [LedgerService(store: backend.store, workflow: backend.workflow, logger: logger)]
    if let replicator = backend.replicator {
        // First, so it is stopped last: after the ledger's last commit.
        services.insert(ReplicationService(replicator: replicator, store: backend.store, logger: logger), at: 0)
    }
    if let workflow = backend.workflow, settings.reconciles ?? workflow.configuration.reconcileConfigured {
        services.append(ReconcilerService(workflow: workflow, logger: logger))
    }
    if let workflow = backend.workflow, !workflow.configuration.notify.sinks.isEmpty {
        services.append(NotifierService(notifier: Notifier(store: backend.store, settings: workflow.configuration.notify), logger: logger))
    }
    if let key = settings.signingKey {
        services.append(CheckpointService(store: backend.store, signer: try NoteSigner(keyText: key), interval: settings.checkpointInterval, logger: logger))
    }
    var app = Application(
        router: try buildRouter(backend, settings: settings),
        server: .shiplog(idleTimeout: settings.idleTimeout),
        configuration: ApplicationConfiguration(
            address: .hostname(settings.host, port: settings.port), serverName: "shiplog",
            availableConnectionsDelegate: MaximumAvailableConnections(settings.maximumConnections, logger: logger)),
        services: services,
        logger: logger)
    app.beforeServerStarts {
        guard let workflow = backend.workflow else { return }
        let metadata = EventMetadata(actor: "shiplog-server", authMethod: "service")
        for result in try await workflow.resumeInterrupted(metadata: metadata) {
            logger.notice("closed interrupted deployment", metadata: ["deployment.id": "\(result.id)", "deployment.outcome": "\(result.outcome.rawValue)"])
        }
    }
    return app
}

/// The ledger and, when `settings` names a configuration, the workflow over its drivers.
public func buildBackend(_ settings: ServerSettings, logger: Logger) async throws -> Backend {
    guard let path = settings.configurationPath else {
        let store = try openStore(settings)
        var backend = Backend(store: store, workflow: nil, tokenClock: settings.tokenClock, logger: logger)
        backend.replicator = settings.replicator
        return backend
    }
    let configuration = try ShiplogConfiguration.load(path: path)
    let drivers = try await ConfiguredDrivers.make(configuration, databasePath: settings.databasePath)
    let store = try openStore(settings)
    let workflow = ServerWorkflow(configuration: configuration, drivers: drivers, store: store, logger: logger, wallClock: settings.ledgerClock)
    var backend = Backend(store: store, workflow: workflow, tokenClock: settings.tokenClock, logger: logger)
    backend.replicator = settings.replicator
    return backend
}

/// The ledger, fenced on the replica's lease when it is replicated: once the lease is lost, no
/// write path (an API append, the reconciler, the notifier, the checkpoint signer) commits again.
private func openStore(_ settings: ServerSettings) throws -> EventStore {
    let store = try EventStore(path: settings.databasePath, access: .readWrite(create: true), clock: settings.ledgerClock)
    if let replicator = settings.replicator {
        store.fenceWrites { replicator.mayWrite ? nil : replicator.lostLeaseMessage }
    }
    return store
}

/// Every route: the JSON API under `/api/v1`, webhooks, operations and the dashboard.
///
/// - Throws: when the signing key in `settings` is not a signed-note private key.
public func buildRouter(_ backend: Backend, settings: ServerSettings) throws -> Router<ShiplogRequestContext> {
    let signer = try settings.signingKey.map { try NoteSigner(keyText: $0) }
    let router = Router(context: ShiplogRequestContext.self)
    router.add(middleware: HTTPMetricsMiddleware(metrics: backend.metrics))
    router.add(middleware: APIErrorMiddleware())
    if let replicator = backend.replicator { router.add(middleware: LeaseFenceMiddleware(replicator: replicator)) }
    router.add(middleware: TokenAuthenticator(tokens: backend.tokens, workflowTokens: backend.workflowTokens, metrics: backend.metrics))
    OperationsController(backend: backend).addRoutes(to: router)
    router.addRoutes(GitHubWebhookController(backend: backend, secret: settings.githubWebhookSecret).endpoints, atPath: "webhooks/github")
    router.addRoutes(LoginController(backend: backend).endpoints)
    router.addRoutes(DashboardController(backend: backend).endpoints)
    router.addRoutes(DashboardActionsController(backend: backend).endpoints)
    router.addRoutes(TlogController(backend: backend).endpoints, atPath: "tlog")
    let api = router.group("api/v1")
    api.addRoutes(EnvironmentsController(backend: backend).endpoints, atPath: "environments")
    api.addRoutes(DeploymentsController(backend: backend).endpoints)
    api.addRoutes(EventsController(backend: backend).endpoints, atPath: "events")
    api.addRoutes(EventStreamController(backend: backend).endpoints, atPath: "events/stream")
    api.addRoutes(AuditController(backend: backend).endpoints, atPath: "audit")
    api.addRoutes(ReconcileController(backend: backend).endpoints)
    api.addRoutes(VerificationsController(backend: backend).endpoints, atPath: "verifications")
    api.addRoutes(ProofsController(backend: backend, signer: signer).endpoints)
    // Innermost, so it sees the router's own 404 for an unmatched method, with every route known.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}
