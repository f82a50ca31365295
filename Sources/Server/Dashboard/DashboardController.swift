import Access
import Deploy
import Hummingbird
import Ledger
import Logging

/// The dashboard for people in a browser: what runs where and the latest deployments (`GET /`),
/// and one deployment with its timeline (`GET /deployments/{id}`). Without a valid token the
/// browser is sent to ``LoginController``'s form; a viewer's token suffices. Those who may promote
/// or roll back also get the buttons that start them (``DashboardActionsController``).
struct DashboardController {
    let backend: Backend

    /// How many deployments the front page lists.
    static let latestCount = 20

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self)
            .get("/", use: overview)
            .get("deployments/:id", use: deployment)
    }

    @Sendable func overview(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        try await page(request, context) { identity, formToken in
            let (states, lastAttempts, deployments) = try await backend.store.reading { store in
                let states = try store.environmentStates()
                var lastAttempts: [String: DeploymentRecord] = [:]
                for state in states {
                    lastAttempts["\(state.environment)/\(state.app)"] =
                        try store.deployments(DeploymentFilter(app: state.app, environment: state.environment, limit: 1)).first
                }
                return (states, lastAttempts, try store.deployments(DeploymentFilter(limit: Self.latestCount)))
            }
            let gates = await gates()
            let page = DashboardPage(
                identity: identity, states: states, lastAttempts: lastAttempts, deployments: deployments,
                configuration: backend.workflow?.configuration, freezes: backend.workflow?.activeFreezes ?? [], gates: gates,
                actions: await actions(of: identity, formToken: formToken, gates: gates))
            return HTMLPage.response("dashboard", page)
        }
    }

    /// Production's gates for each app that has any, read as `promote` reads them; a staging that
    /// ECS cannot describe shows the gates' names, unknown, rather than fail the page.
    private func gates() async -> [String: DashboardPage.Gates] {
        guard let workflow = backend.workflow else { return [:] }
        var gates: [String: DashboardPage.Gates] = [:]
        for (app, configuration) in workflow.configuration.apps {
            guard let names = configuration.environments[ShiplogConfiguration.promotionTarget]?.gates, !names.isEmpty else { continue }
            do {
                gates[app] = DashboardPage.Gates(try await workflow.engine.promotionGates(app: app))
            } catch {
                backend.logger.debug("gates not read", metadata: ["app": "\(app)", "error": "\(error)"])
                gates[app] = DashboardPage.Gates(unread: names)
            }
        }
        return gates
    }

    /// Takes the id with or without its `deployment-` prefix, as the API does.
    @Sendable func deployment(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        try await page(request, context) { identity, formToken in
            let given = try context.parameters.require("id")
            let id = given.hasPrefix("deployment-") ? given : "deployment-\(given)"
            guard (try? Names.check(given, what: "deployment id")) != nil,
                  let found = try await backend.store.reading({ store -> (record: DeploymentRecord, events: [RecordedEvent])? in
                      guard let record = try store.deployments(DeploymentFilter(id: id, limit: 1)).first else { return nil }
                      return (record, try store.events(EventFilter(stream: id)))
                  }) else {
                return HTMLPage.message(
                    "No such deployment", "The ledger has no deployment '\(given)'.", identity: identity, formToken: formToken, status: .notFound)
            }
            return HTMLPage.response("deployment", DeploymentPage(identity: identity, formToken: formToken, record: found.record, events: found.events))
        }
    }

    /// What `identity` may start from the grid: asked of the policy the API's promote and
    /// rollback ask, and only when the service deploys at all.
    /// The button shows once `gates` (production's, read as `promote` reads them) have passed, or
    /// when the app has none; `promote` itself refuses whatever they would.
    private func actions(of identity: APIIdentity, formToken: String?, gates: [String: DashboardPage.Gates]) async -> DashboardPage.Actions {
        var actions = DashboardPage.Actions(formToken: formToken)
        guard let workflow = backend.workflow else { return actions }
        actions.mayRollBack = await backend.policy.refusal(.rollback, by: identity.principal) == nil
        actions.mayPromote = await backend.policy.refusal(.promote, by: identity.principal) == nil
        if actions.mayPromote {
            actions.gatesPassed = Set(workflow.configuration.apps.keys.filter { gates[$0]?.passed ?? true })
        }
        return actions
    }

    /// Renders a page for a reader, with the token its forms carry. Without a valid token: 303 to
    /// the login form. With a token whose role may not read (the configuration can raise it): a
    /// 403 page, the refusal recorded as the API records it.
    private func page(
        _ request: Request, _ context: ShiplogRequestContext, render: (APIIdentity, String?) async throws -> Response
    ) async throws -> Response {
        guard let presented = context.identity else { return .redirect(to: "/login", type: .normal) }
        let formToken = backend.forms.token(for: request)
        let identity: APIIdentity
        do {
            identity = try await backend.authorize(.read, context)
        } catch let error as HTTPError where error.status == .forbidden {
            let reason = await backend.policy.refusal(.read, by: presented.principal) ?? "access denied"
            return HTMLPage.message("Not allowed", reason, identity: presented, formToken: formToken, status: .forbidden)
        }
        return try await render(identity, formToken)
    }
}
