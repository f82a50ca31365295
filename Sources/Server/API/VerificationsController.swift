import Access
import Deploy
import Hummingbird
import Ledger

/// Verification results: recorded by a CI step after its suite ran (`POST /api/v1/verifications`,
/// the token's role must record: deployers and up) and listed per app and environment.
struct VerificationsController {
    let backend: Backend

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self)
            .get(use: list)
            .post(use: record)
            .get("gates", use: gates)
    }

    struct RecordRequest: StrictBody {
        var app: String
        var environment: String
        var tag: String
        var name: String
        /// Text rather than ``VerificationOutcome``, so a wrong value is refused with the values it may take.
        var outcome: String
        var url: String?
        var runId: String?
        var commit: String?
        var onBehalfOf: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case app, environment, tag, name, outcome, url, commit
            case runId = "run_id"
            case onBehalfOf = "on_behalf_of"
        }
    }

    /// One result, as recorded.
    struct Item: ResponseEncodable {
        var position: Int64
        var app: String
        var environment: String
        var tag: String
        var name: String
        var outcome: VerificationOutcome
        var url: String?
        var runId: String?
        var commit: String?
        var recordedAt: String
        var recordedBy: String?

        init(_ verification: RecordedVerification) {
            let result = verification.result
            position = verification.position
            app = result.app
            environment = result.environment
            tag = result.tag
            name = result.name
            outcome = result.outcome
            url = result.url
            runId = result.runId
            commit = result.commit
            recordedAt = verification.recordedAt
            recordedBy = verification.actor
        }
    }

    struct Listed: ResponseEncodable {
        var verifications: [Item]
    }

    /// `GET /api/v1/verifications/gates?app=frontend`: whether production's gates have passed for
    /// the tag staging runs (read from ECS, as a promotion reads it).
    @Sendable func gates(_ request: Request, context: ShiplogRequestContext) async throws -> PromotionGates.Report {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["app"])
        guard let app = try query.name("app") else { throw HTTPError(.badRequest, message: "query parameter 'app' is required") }
        return PromotionGates.Report(try await backend.requireWorkflow().engine.promotionGates(app: app))
    }

    /// `GET /api/v1/verifications?app=frontend&environment=staging&tag=3f9c2e1`: oldest first;
    /// `environment` is staging when left out, `tag` any.
    @Sendable func list(_ request: Request, context: ShiplogRequestContext) async throws -> Listed {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["app", "environment", "tag"])
        guard let app = try query.name("app") else { throw HTTPError(.badRequest, message: "query parameter 'app' is required") }
        let environment = try query.name("environment") ?? ShiplogConfiguration.promotionSource
        let tag = try query.name("tag")
        let results = try await backend.store.reading { try Verifications.results(in: $0, app: app, environment: environment, tag: tag) }
        return Listed(verifications: results.map(Item.init))
    }

    /// 201 with the result as recorded; 404 for an app or environment the configuration lacks.
    @Sendable func record(_ request: Request, context: ShiplogRequestContext) async throws -> EditedResponse<Item> {
        let body = try await request.decode(as: RecordRequest.self, context: context)
        guard let outcome = VerificationOutcome(rawValue: body.outcome) else {
            throw HTTPError(.badRequest, message: "outcome must be passed or failed, not '\(body.outcome.prefix(80))'")
        }
        for (value, what) in [(body.app, "app"), (body.environment, "environment")] { try Names.check(value, what: what) }
        if let person = body.onBehalfOf { try Names.check(person, what: "on_behalf_of") }
        let workflow = try backend.requireWorkflow()
        var verifications = Verifications(configuration: workflow.configuration, store: backend.store)
        verifications.checksActors = false
        var result = VerificationRecorded(
            app: body.app, environment: body.environment, tag: body.tag, name: body.name, outcome: outcome, url: body.url,
            runId: body.runId, commit: body.commit)
        // Unknown apps and environments, and malformed values, are refused before anything is recorded, even a refusal.
        try verifications.check(result)
        let identity = try await backend.authorize(.record, context, app: body.app, environment: body.environment)
        let metadata = try await backend.metadata(identity, onBehalfOf: body.onBehalfOf, context, action: .record, app: body.app, environment: body.environment)
        if let run = identity.workflow { result = try Self.proven(result, by: run) }
        let event = try await verifications.record(result, metadata: metadata)
        backend.metrics.appended(1)
        let recorded = RecordedVerification(result: result, position: event.position, recordedAt: event.recordedAt, actor: metadata.onBehalfOf ?? metadata.actor)
        return EditedResponse(status: .created, response: Item(recorded))
    }

    /// A result recorded under a GitHub Actions ID token is that run's: its run id and URL are the
    /// token's, and a body naming another run is refused, as the events append refuses one.
    static func proven(_ result: VerificationRecorded, by run: WorkflowRun) throws -> VerificationRecorded {
        if let claimed = result.runId, claimed != run.runId {
            throw HTTPError(.badRequest, message: "run_id is what the GitHub Actions token proves (\(run.runId)), not '\(claimed.prefix(80))'")
        }
        if let claimed = result.url, claimed != run.url, claimed != run.runURL {
            throw HTTPError(.badRequest, message: "url is what the GitHub Actions token proves (\(run.url)), not '\(claimed.prefix(80))'")
        }
        var result = result
        result.runId = run.runId
        result.url = run.url
        return result
    }
}

/// The gates answer is the type the CLI prints from, whichever way it reads them.
extension PromotionGates.Report: ResponseEncodable {}
