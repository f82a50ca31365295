import Access
import Deploy
import Foundation
import Hummingbird
import Ledger

/// Deployment history, one deployment with its timeline, and starting deployments, rollbacks and
/// promotions: each answered 202 with a Location to follow while the flow runs.
struct DeploymentsController {
    let backend: Backend

    private var launcher: DeploymentLauncher { DeploymentLauncher(backend: backend) }

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self)
            .get("deployments", use: list)
            .get("deployments/:id", use: show)
            .post("deployments", use: deploy)
            .post("rollbacks", use: rollback)
            .post("promotions", use: promote)
    }

    struct DeployRequest: StrictBody {
        var app: String
        var environment: String
        var tag: String
        var trigger: String?
        var requiredVariables: [String]?
        var onBehalfOf: String?
        /// Refuse (409) rather than queue when another deployment holds the environment.
        var noWait: Bool?
        /// A maintainer's reason to deploy inside a freeze window.
        var overrideFreeze: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case app, environment, tag, trigger
            case requiredVariables = "required_variables"
            case onBehalfOf = "on_behalf_of"
            case noWait = "no_wait"
            case overrideFreeze = "override_freeze"
        }
    }

    struct RollbackRequest: StrictBody {
        var app: String
        var environment: String
        var tag: String
        var onBehalfOf: String?
        /// Reuse the newest revision running the tag's images rather than render the current template.
        var reuseRevision: Bool?
        var noWait: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case app, environment, tag
            case onBehalfOf = "on_behalf_of"
            case reuseRevision = "reuse_revision"
            case noWait = "no_wait"
        }
    }

    struct PromotionRequest: StrictBody {
        var app: String
        var onBehalfOf: String?
        var noWait: Bool?
        var overrideFreeze: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case app
            case onBehalfOf = "on_behalf_of"
            case noWait = "no_wait"
            case overrideFreeze = "override_freeze"
        }
    }

    /// 202's body: the deployment to follow, or the queued request and the stream that tells
    /// when it starts.
    struct Accepted: ResponseEncodable {
        var id: String
        var status: String
        var location: String
    }

    /// One deployment and its timeline: `{"deployment": {...}, "timeline": [event, ...]}`. The
    /// timeline's events are written as the log holds them, as ``EventPage`` writes its own.
    struct Detail: ResponseGenerator {
        var deployment: DeploymentRecord
        var timeline: [RecordedEvent]

        func response(from request: Request, context: some RequestContext) throws -> Response {
            let deployment = String(decoding: try APICoding.encoder.encode(deployment), as: UTF8.self)
            return .json("{\"deployment\":" + deployment + ",\"timeline\":" + timeline.jsonArray + "}")
        }
    }

    // MARK: Reading

    @Sendable func list(_ request: Request, context: ShiplogRequestContext) async throws -> CursorPage<DeploymentRecord> {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["app", "environment", "actor", "outcome", "since", "until", "limit", "cursor"])
        let limit = try query.integer("limit", in: 1...500, default: 50) ?? 50
        let cursor = try query.integer("cursor", in: 1...Int64.max)
        let filter = DeploymentFilter(
            app: try query.name("app"), environment: try query.name("environment"), actor: try query.name("actor"),
            outcome: try query.choice("outcome", DeploymentOutcome.self), since: try query.time("since"), until: try query.time("until"),
            before: cursor, limit: Int(limit))
        let records = try await backend.store.reading { try $0.deployments(filter) }
        return CursorPage(itemsKey: "deployments", items: records, nextCursor: QueryReader.nextCursor(records.map(\.position), limit: Int(limit)))
    }

    @Sendable func show(_ request: Request, context: ShiplogRequestContext) async throws -> Detail {
        try await backend.authorize(.read, context)
        _ = try QueryReader(request, allowed: [])
        let given = try Names.pathParameter("id", context, what: "deployment id")
        let id = given.hasPrefix("deployment-") ? given : "deployment-\(given)"
        let detail = try await backend.store.reading { store in
            try store.deployments(DeploymentFilter(id: id, limit: 1)).first.map { record in
                Detail(deployment: record, timeline: try store.events(EventFilter(stream: id)))
            }
        }
        guard let detail else { throw HTTPError(.notFound, message: "no deployment '\(given)'") }
        return detail
    }

    // MARK: Starting

    @Sendable func deploy(_ request: Request, context: ShiplogRequestContext) async throws -> EditedResponse<Accepted> {
        let body = try await request.decode(as: DeployRequest.self, context: context)
        try launcher.check(app: body.app, environment: body.environment, tag: body.tag, onBehalfOf: body.onBehalfOf)
        if let reason = body.overrideFreeze { try FreezeOverride.check(reason) }
        let trigger = try trigger(body.trigger)
        let action = Permissions.Action.deploy(to: body.environment)
        let identity = try await backend.authorize(action, context, app: body.app, environment: body.environment)
        let metadata = try await backend.metadata(identity, onBehalfOf: body.onBehalfOf, context, action: action, app: body.app, environment: body.environment)
        try await backend.authorizeFreezeOverride(body.overrideFreeze, identity, onBehalfOf: body.onBehalfOf, context, app: body.app, environment: body.environment)
        let required = body.requiredVariables ?? []
        let launched = try await launcher.launch(wait: body.noWait != true) { engine in
            try await engine.deploy(app: body.app, environment: body.environment, tag: body.tag, trigger: trigger,
                                    requiredVariables: required, overrideFreeze: body.overrideFreeze, metadata: metadata)
        }
        return accepted(launched, app: body.app, environment: body.environment)
    }

    @Sendable func rollback(_ request: Request, context: ShiplogRequestContext) async throws -> EditedResponse<Accepted> {
        let body = try await request.decode(as: RollbackRequest.self, context: context)
        let launched = try await launcher.rollback(
            app: body.app, environment: body.environment, tag: body.tag, onBehalfOf: body.onBehalfOf, reuseRevision: body.reuseRevision ?? false,
            wait: body.noWait != true, context)
        return accepted(launched, app: body.app, environment: body.environment)
    }

    @Sendable func promote(_ request: Request, context: ShiplogRequestContext) async throws -> EditedResponse<Accepted> {
        let body = try await request.decode(as: PromotionRequest.self, context: context)
        let launched = try await launcher.promote(
            app: body.app, onBehalfOf: body.onBehalfOf, overrideFreeze: body.overrideFreeze, wait: body.noWait != true, context)
        return accepted(launched, app: body.app, environment: ShiplogConfiguration.promotionTarget)
    }

    /// 202 with the deployment to follow, or with the request queued behind the deployment
    /// holding `environment` (its stream of the environment tells when it starts).
    private func accepted(_ launched: ServerWorkflow.Launched, app: String, environment: String) -> EditedResponse<Accepted> {
        let accepted: Accepted
        switch launched {
        case .started(let id):
            accepted = Accepted(id: id, status: "accepted", location: "/api/v1/deployments/\(id)")
        case .queued(let request):
            let stream = EnvironmentClaim.stream(app: app, environment: environment)
            accepted = Accepted(id: request, status: "queued", location: "/api/v1/events?stream=\(stream)")
        }
        return EditedResponse(status: .accepted, headers: [.location: accepted.location], response: accepted)
    }

    private func trigger(_ text: String?) throws -> DeploymentTrigger {
        guard let text else { return .manual }
        guard let trigger = DeploymentTrigger(rawValue: text), [.merge, .release, .manual].contains(trigger) else {
            throw HTTPError(.badRequest, message: "trigger must be merge, release or manual, not '\(text)'")
        }
        return trigger
    }
}
