import Access
import Deploy
import Foundation
import Hummingbird
import Ledger

/// What maintainers start from the dashboard: a promotion, from staging's cell, and a rollback,
/// from any cell. A button leads to a page that says what will happen and asks to confirm; the
/// confirmation is a POST with the session's form token (``FormProtection``), which starts the
/// deployment through ``DeploymentLauncher`` exactly as the API's requests do (the same
/// permission, freeze and engine checks, refusals recorded the same way) and sends the browser
/// to the deployment's page, which follows it live.
///
/// - `GET /apps/{app}/promote`, `POST /apps/{app}/promote`
/// - `GET /apps/{app}/environments/{environment}/rollback?tag=...`, `POST` the same path with `tag`
struct DashboardActionsController {
    let backend: Backend

    /// The confirming form of a promotion.
    struct PromotionForm: Decodable {
        var formToken: String?

        enum CodingKeys: String, CodingKey {
            case formToken = "form_token"
        }
    }

    /// The confirming form of a rollback.
    struct RollbackForm: Decodable {
        var tag: String?
        var formToken: String?

        enum CodingKeys: String, CodingKey {
            case tag
            case formToken = "form_token"
        }
    }

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self)
            .get("apps/:app/promote", use: confirmPromotion)
            .post("apps/:app/promote", use: promote)
            .get("apps/:app/environments/:environment/rollback", use: confirmRollback)
            .post("apps/:app/environments/:environment/rollback", use: rollback)
    }

    private var launcher: DeploymentLauncher { DeploymentLauncher(backend: backend) }

    // MARK: Promotion

    /// What a promotion would deploy: staging's tag, revision and images, and what production runs now.
    @Sendable func confirmPromotion(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        try await answer(request, context) { identity, formToken in
            let app = try context.parameters.require("app")
            let (staging, production) = (ShiplogConfiguration.promotionSource, ShiplogConfiguration.promotionTarget)
            try Names.check(app, what: "app")
            let workflow = try backend.requireWorkflow()
            for environment in [staging, production] { _ = try workflow.configuration.target(app: app, environment: environment) }
            try await backend.authorize(.promote, context, app: app, environment: production)
            let states = try await backend.store.reading { try $0.environmentStates() }.filter { $0.app == app }
            guard let source = states.first(where: { $0.environment == staging }), let tag = source.tag else {
                return HTMLPage.message(
                    "Nothing to promote", "\(app) runs nothing in \(staging) yet.", identity: identity, formToken: formToken, status: .conflict)
            }
            let target = states.first { $0.environment == production }
            var facts = [ConfirmationPage.Fact(name: "App", value: app), ConfirmationPage.Fact(name: "Environment", value: production),
                         ConfirmationPage.Fact(name: "Tag", value: tag)]
            facts.append(ConfirmationPage.Fact(name: "From", value: "\(staging)\(source.revision.map { ", revision \($0)" } ?? "")"))
            if let images = source.images { facts.append(ConfirmationPage.Fact(name: "Images", value: images)) }
            facts.append(ConfirmationPage.Fact(name: "\(production.capitalized) runs now", value: target?.tag ?? "nothing"))
            let page = ConfirmationPage(
                identity: identity, formToken: formToken, heading: "Deploy \(app) \(tag) to \(production)?",
                notice: frozen(production, workflow, then: "the promotion will be refused"), facts: facts,
                confirm: ConfirmationPage.Confirm(action: "/apps/\(app)/promote", fields: [], button: "Deploy \(tag) to \(production)"),
                retry: nil)
            return HTMLPage.response("confirm", page)
        }
    }

    @Sendable func promote(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        let form = try await decode(PromotionForm.self, request)
        if let refused = backend.forms.refusal(request, presented: form?.formToken) { return refused }
        return try await answer(request, context) { identity, formToken in
            let app = try context.parameters.require("app")
            let launched = try await launcher.promote(app: app, context)
            return follow(launched, app: app, environment: ShiplogConfiguration.promotionTarget, identity: identity, formToken: formToken)
        }
    }

    // MARK: Rollback

    /// What a rollback to `tag` would do, once the registry has the tag; otherwise the tags nearest to it.
    @Sendable func confirmRollback(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        try await answer(request, context) { identity, formToken in
            let app = try context.parameters.require("app"), environment = try context.parameters.require("environment")
            let tag = (try QueryReader(request, allowed: ["tag"]).string("tag") ?? "").trimmingCharacters(in: .whitespaces)
            try launcher.check(app: app, environment: environment, tag: tag, onBehalfOf: nil)
            let workflow = try backend.requireWorkflow()
            try await backend.authorize(.rollback, context, app: app, environment: environment)
            let path = "/apps/\(app)/environments/\(environment)/rollback"
            do {
                try await workflow.engine.requireTag(tag, app: app, environment: environment)
            } catch let error as DeployError where error.code == .tagNotFound {
                let suggestions = error.nearest.map { ConfirmationPage.Suggestion(tag: $0, link: "\(path)?tag=\($0)") }
                let page = ConfirmationPage(
                    identity: identity, formToken: formToken, heading: "Roll back \(app) in \(environment)?", notice: error.message,
                    facts: [], confirm: nil, retry: ConfirmationPage.Retry(action: path, suggestions: suggestions, hasSuggestions: !suggestions.isEmpty))
                return HTMLPage.response("confirm", page, status: .notFound)
            }
            let current = try await backend.store.reading { try $0.environmentStates() }.first { $0.app == app && $0.environment == environment }
            let page = ConfirmationPage(
                identity: identity, formToken: formToken, heading: "Roll \(app) in \(environment) back to \(tag)?",
                notice: frozen(environment, workflow, then: "a rollback runs all the same"),
                facts: [ConfirmationPage.Fact(name: "App", value: app), ConfirmationPage.Fact(name: "Environment", value: environment),
                        ConfirmationPage.Fact(name: "Tag", value: tag), ConfirmationPage.Fact(name: "Runs now", value: current?.tag ?? "nothing")],
                confirm: ConfirmationPage.Confirm(action: path, fields: [ConfirmationPage.Field(name: "tag", value: tag)], button: "Roll back to \(tag)"),
                retry: nil)
            return HTMLPage.response("confirm", page)
        }
    }

    @Sendable func rollback(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        let form = try await decode(RollbackForm.self, request)
        if let refused = backend.forms.refusal(request, presented: form?.formToken) { return refused }
        return try await answer(request, context) { identity, formToken in
            let app = try context.parameters.require("app"), environment = try context.parameters.require("environment")
            let tag = (form?.tag ?? "").trimmingCharacters(in: .whitespaces)
            let launched = try await launcher.rollback(app: app, environment: environment, tag: tag, context)
            return follow(launched, app: app, environment: environment, identity: identity, formToken: formToken)
        }
    }

    // MARK: Shared

    /// Sends the browser to the deployment it started, whose page follows it live; or says it
    /// waits behind another deployment.
    private func follow(
        _ launched: ServerWorkflow.Launched, app: String, environment: String, identity: APIIdentity, formToken: String?
    ) -> Response {
        switch launched {
        case .started(let id):
            return .redirect(to: "/deployments/\(id)", type: .normal)
        case .queued(let request):
            return HTMLPage.message(
                "Queued", "Another deployment holds \(app) in \(environment); this one (request \(request)) starts when it has finished.",
                identity: identity, formToken: formToken, status: .accepted)
        }
    }

    /// What the freeze `environment` is in means here, or nil when there is none.
    private func frozen(_ environment: String, _ workflow: ServerWorkflow, then consequence: String) -> String? {
        workflow.activeFreezes.first { $0.environment == environment }.map { "\($0.summary); \(consequence)." }
    }

    /// Runs `render` for a signed-in browser (else 303 to the login form), turning a refusal into
    /// a page with the status and message the API would answer with.
    private func answer(
        _ request: Request, _ context: ShiplogRequestContext, render: (APIIdentity, String?) async throws -> Response
    ) async throws -> Response {
        guard let identity = context.identity else { return .redirect(to: "/login", type: .normal) }
        let formToken = backend.forms.token(for: request)
        do {
            return try await render(identity, formToken)
        } catch {
            let refusal = error as? HTTPError ?? APIErrorMiddleware.httpError(for: error, context: context)
            let heading = refusal.status == .forbidden ? "Not allowed" : "Not started"
            return HTMLPage.message(heading, refusal.body ?? refusal.status.reasonPhrase, identity: identity, formToken: formToken, status: refusal.status)
        }
    }

    /// An `application/x-www-form-urlencoded` body, or nil when it is not one.
    private func decode<Form: Decodable>(_ type: Form.Type, _ request: Request) async throws -> Form? {
        let body = try await request.body.collect(upTo: 4096)
        return try? URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
    }
}
