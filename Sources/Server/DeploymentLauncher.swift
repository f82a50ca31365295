import Access
import Deploy
import Hummingbird
import Ledger

/// Starts deployments, rollbacks and promotions for the API and the dashboard alike, so a click
/// and a `POST /api/v1/...` pass the same checks: names, the configured app and environment, the
/// actor's permission (a refusal recorded as `AccessDenied`), a freeze override's, and then
/// the engine's own (tags in the registry, freezes, whatever else it refuses).
struct DeploymentLauncher {
    let backend: Backend

    /// Rolls `app` in `environment` back to `tag`, for `context`'s identity (or `onBehalfOf`).
    func rollback(
        app: String, environment: String, tag: String, onBehalfOf: String? = nil, reuseRevision: Bool = false, wait: Bool = true,
        _ context: ShiplogRequestContext
    ) async throws -> ServerWorkflow.Launched {
        try check(app: app, environment: environment, tag: tag, onBehalfOf: onBehalfOf)
        let identity = try await backend.authorize(.rollback, context, app: app, environment: environment)
        let metadata = try await backend.metadata(identity, onBehalfOf: onBehalfOf, context, action: .rollback, app: app, environment: environment)
        return try await launch(wait: wait) { engine in
            try await engine.rollback(app: app, environment: environment, tag: tag, reuseRevision: reuseRevision, metadata: metadata)
        }
    }

    /// Deploys to production what staging runs of `app`, for `context`'s identity (or `onBehalfOf`).
    func promote(
        app: String, onBehalfOf: String? = nil, overrideFreeze: String? = nil, wait: Bool = true, _ context: ShiplogRequestContext
    ) async throws -> ServerWorkflow.Launched {
        try Names.check(app, what: "app")
        if let person = onBehalfOf { try Names.check(person, what: "on_behalf_of") }
        if let reason = overrideFreeze { try FreezeOverride.check(reason) }
        let production = ShiplogConfiguration.promotionTarget
        let identity = try await backend.authorize(.promote, context, app: app, environment: production)
        let metadata = try await backend.metadata(identity, onBehalfOf: onBehalfOf, context, action: .promote, app: app, environment: production)
        try await backend.authorizeFreezeOverride(overrideFreeze, identity, onBehalfOf: onBehalfOf, context, app: app, environment: production)
        return try await launch(wait: wait) { engine in
            try await engine.promote(app: app, overrideFreeze: overrideFreeze, metadata: metadata)
        }
    }

    /// Starts `operation` in the background once it is recorded; counts its outcome when it ends.
    func launch(
        wait: Bool, _ operation: @escaping @Sendable (DeploymentEngine) async throws -> DeploymentResult
    ) async throws -> ServerWorkflow.Launched {
        let workflow = try backend.requireWorkflow()
        let metrics = backend.metrics
        let store = backend.store
        return try await workflow.launch(wait: wait, operation) { result in
            let duration = (try? store.deployments(DeploymentFilter(id: result.id, limit: 1)).first?.durationMs).flatMap { $0 }
            metrics.deploymentFinished(outcome: result.outcome, duration: duration.map { .milliseconds($0) })
        }
    }

    /// Refuses bad names, and apps and environments the configuration does not have, before
    /// anything is recorded, even a refusal.
    func check(app: String, environment: String, tag: String, onBehalfOf: String?) throws {
        try Names.check(app, what: "app")
        try Names.check(environment, what: "environment")
        try Names.check(tag, what: "tag")
        if let onBehalfOf { try Names.check(onBehalfOf, what: "on_behalf_of") }
        if let workflow = backend.workflow { _ = try workflow.configuration.target(app: app, environment: environment) }
    }
}
