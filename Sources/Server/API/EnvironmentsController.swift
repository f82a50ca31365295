import Access
import Deploy
import Foundation
import Hummingbird
import Ledger

/// What runs where: every app in every environment, and the version document of one.
struct EnvironmentsController {
    let backend: Backend

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self)
            .get(use: list)
            .get(":environment/:app", use: state)
            .get(":environment/:app/version", use: version)
    }

    /// The seed's `/version.json`, per app and environment, from the ledger.
    struct VersionDocument: ResponseEncodable {
        var app: String
        var environment: String
        var release: String?
        var tag: String?
        var revision: Int?
        var taskDefinitionArn: String?
        var deployedAt: String?
        var deployedBy: String?
        var lastOutcome: DeploymentOutcome?
    }

    /// An environment's active freeze, beside what runs there.
    struct Freeze: Encodable {
        var environment: String
        var window: String
        var reason: String?
        var until: String

        init(_ freeze: ActiveFreeze) {
            environment = freeze.environment
            window = freeze.window
            reason = freeze.reason
            until = freeze.untilText
        }
    }

    @Sendable func list(_ request: Request, context: ShiplogRequestContext) async throws -> EnvironmentList {
        try await backend.authorize(.read, context)
        _ = try QueryReader(request, allowed: [])
        let (states, lastPass) = try await backend.store.reading { store in
            (try store.environmentStates(), try store.serviceState(Reconciler.lastPassKey))
        }
        return EnvironmentList(
            states: states, freezes: (backend.workflow?.activeFreezes ?? []).map(Freeze.init),
            lastPass: lastPass.flatMap { try? JSONDecoder().decode(LastPass.self, from: Data($0.utf8)) })
    }

    @Sendable func state(_ request: Request, context: ShiplogRequestContext) async throws -> EnvironmentBody {
        try await backend.authorize(.read, context)
        return EnvironmentBody(try await find(request, context))
    }

    @Sendable func version(_ request: Request, context: ShiplogRequestContext) async throws -> VersionDocument {
        try await backend.authorize(.read, context)
        let state = try await find(request, context)
        let document = VersionDocument(
            app: state.app, environment: state.environment, release: state.tag.flatMap { $0.hasPrefix("rel-") ? $0 : nil },
            tag: state.tag, revision: state.revision, taskDefinitionArn: state.taskDefinitionArn, deployedAt: state.deployedAt,
            deployedBy: state.deployedBy, lastOutcome: state.lastOutcome)
        return document
    }

    private func find(_ request: Request, _ context: ShiplogRequestContext) async throws -> EnvironmentState {
        _ = try QueryReader(request, allowed: [])
        let environment = try Names.pathParameter("environment", context)
        let app = try Names.pathParameter("app", context)
        let states = try await backend.store.reading { try $0.environmentStates() }
        guard let state = states.first(where: { $0.app == app && $0.environment == environment }) else {
            throw HTTPError(.notFound, message: "the ledger has nothing deployed for app '\(app)' in environment '\(environment)'")
        }
        return state
    }
}
