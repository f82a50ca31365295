import Access
import Clocks
import Deploy
import Hummingbird
import Ledger
import Logging
import Replication

/// What the controllers work with: the ledger, the tokens, who may do what, and, when the service
/// was given a configuration, the workflow engine that deploys.
public struct Backend: Sendable {
    public let store: EventStore
    public let tokens: AccessTokens
    /// GitHub Actions ID tokens as credentials, when the configuration has an `oidc:` section.
    public let workflowTokens: WorkflowTokenVerifier?
    /// Who may do what: the configuration's, or the defaults without one.
    public let policy: AccessPolicy
    /// Absent when the service runs without a configuration: then it records and reports, but
    /// does not deploy or reconcile.
    public let workflow: ServerWorkflow?
    public let metrics: ServerMetrics
    public let logger: Logger
    /// Replication to S3, when the service replicates: it fences appends once the lease is lost.
    public var replicator: Replicator?
    /// The dashboard's form tokens, under a key of this process's own.
    let forms = FormProtection()

    /// - Parameter tokenClock: the wall clock tokens expire by.
    public init(
        store: EventStore, workflow: ServerWorkflow?, metrics: ServerMetrics = ServerMetrics(), tokenClock: any ShiplogClock = SystemClock(),
        logger: Logger
    ) {
        self.store = store
        self.tokens = AccessTokens(store: store, clock: tokenClock)
        self.workflowTokens = workflow?.configuration.oidc.map { WorkflowTokenVerifier(settings: $0, clock: tokenClock) }
        self.policy = workflow?.configuration.accessPolicy ?? .unconfigured
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
        if let reason = await policy.refusal(action, by: identity.principal) {
            throw try await refused(AccessRefusal(action, app: app, environment: environment, reason: reason), identity, context)
        }
        return identity
    }

    /// The metadata of what `identity` records, once it may say it acts for `person`: only a token
    /// named as a bot in the configuration's `bots:` may, only for whom its `acts_for` names, and
    /// with no more than that person's role — otherwise any token could put its deploys under
    /// someone else's name. A refusal is a 403, recorded as `AccessDenied`.
    func metadata(
        _ identity: APIIdentity, onBehalfOf person: String?, _ context: ShiplogRequestContext, action: Permissions.Action,
        app: String? = nil, environment: String? = nil
    ) async throws -> EventMetadata {
        guard let person, person != identity.name else { return identity.metadata(clientAddress: context.clientAddress) }
        if let reason = await policy.refusal(action, by: identity.principal, onBehalfOf: person) {
            throw try await refused(AccessRefusal(action, app: app, environment: environment, reason: reason), identity, context)
        }
        return identity.metadata(onBehalfOf: person, clientAddress: context.clientAddress)
    }

    /// Refuses (403, recorded as `AccessDenied`) a freeze override from whoever may not give one,
    /// acting for `person` or not; the engine admits the override once this has passed.
    func authorizeFreezeOverride(
        _ reason: String?, _ identity: APIIdentity, onBehalfOf person: String?, _ context: ShiplogRequestContext, app: String?, environment: String?
    ) async throws {
        guard reason != nil else { return }
        if let refusal = await policy.refusal(.overrideFreeze, by: identity.principal, onBehalfOf: person) {
            throw try await refused(AccessRefusal(.overrideFreeze, app: app, environment: environment, reason: refusal), identity, context)
        }
    }

    /// Records `identity`'s refusal as `AccessDenied` and returns the 403 that says why.
    private func refused(_ refusal: AccessRefusal, _ identity: APIIdentity, _ context: ShiplogRequestContext) async throws -> HTTPError {
        try await refusal.record(in: store, metadata: identity.metadata(clientAddress: context.clientAddress))
        return forbidden(refusal)
    }

    /// The 403 for a refusal already recorded, counted in the metrics.
    func forbidden(_ refusal: AccessRefusal) -> HTTPError {
        metrics.refused(status: 403)
        return HTTPError(.forbidden, message: refusal.description)
    }

    /// The workflow engine, or 503 when the service was started without a configuration.
    func requireWorkflow() throws -> ServerWorkflow {
        guard let workflow else {
            throw HTTPError(.serviceUnavailable, message: "this service runs without a configuration (shiplog.yml), so it cannot deploy or reconcile")
        }
        return workflow
    }
}
