import Deploy
import Hummingbird
import Ledger
import Logging

/// What the controllers work with: the ledger, the tokens, who may do what, and, when the service
/// was given a configuration, the workflow engine that deploys.
public struct Backend: Sendable {
    public let store: EventStore
    public let tokens: AccessTokens
    public let permissions: Permissions
    /// Absent when the service runs without a configuration: then it records and reports, but
    /// does not deploy or reconcile.
    public let workflow: ServerWorkflow?
    public let metrics: ServerMetrics
    public let logger: Logger

    public init(store: EventStore, workflow: ServerWorkflow?, metrics: ServerMetrics = ServerMetrics(), logger: Logger) {
        self.store = store
        self.tokens = AccessTokens(store: store)
        self.permissions = Permissions(overrides: workflow?.configuration.apiRoles ?? [:])
        self.workflow = workflow
        self.metrics = metrics
        self.logger = logger
    }

    /// The identity behind the request, once it may do `action`.
    ///
    /// - Throws: 401 when the request carries no valid token; 403 when its role falls short,
    ///   after recording the refusal as `AccessDenied`.
    @discardableResult
    func authorize(
        _ action: Permissions.Action, _ context: ShiplogRequestContext, app: String? = nil, environment: String? = nil
    ) async throws -> APIIdentity {
        guard let identity = context.identity else {
            metrics.refused(status: 401)
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"shiplog\""],
                            message: "a valid bearer token is required (Authorization: Bearer shiplog_...)")
        }
        if let reason = permissions.refusal(action, by: identity) {
            let denied = AccessDenied(action: action.rawValue, app: app, environment: environment, reason: reason)
            _ = try await store.append([NewEvent(stream: "access", denied, metadata: identity.metadata(clientAddress: context.clientAddress))])
            metrics.refused(status: 403)
            throw HTTPError(.forbidden, message: "access denied: \(reason)")
        }
        return identity
    }

    /// The workflow engine, or 503 when the service was started without a configuration.
    func requireWorkflow() throws -> ServerWorkflow {
        guard let workflow else {
            throw HTTPError(.serviceUnavailable, message: "this service runs without a configuration (shiplog.yml), so it cannot deploy or reconcile")
        }
        return workflow
    }
}
