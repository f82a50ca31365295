import Access
import Foundation
import HTTPTypes
import Hummingbird
import Ledger

/// The log itself: reading it page by page, and appending to it, which is how CI steps record
/// what they did (`Idempotency-Key` makes a retried step record once).
struct EventsController {
    let backend: Backend

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self)
            .get(use: list)
            .post(use: append)
    }

    @Sendable func list(_ request: Request, context: ShiplogRequestContext) async throws -> EventPage {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["actor", "after", "limit", "stream", "type"])
        let after = try query.integer("after", in: 0...Int64.max, default: 0) ?? 0
        let limit = try query.integer("limit", in: 1...1000, default: 100) ?? 100
        let stream = try query.name("stream")
        let type = try query.name("type")
        let actor = try query.name("actor")
        let events = try await backend.store.reading { try $0.events(EventFilter(stream: stream, type: type, actor: actor, after: after, limit: Int(limit))) }
        return EventPage(events: events, nextAfter: events.last?.position ?? after)
    }

    /// `{"stream": ..., "type": ..., "data": {...}}`, or `{"events": [...], "expected_version": N}`
    /// for several at once. The actor is the token's; the body may say whom a bot acted for, and
    /// the run URL and commit. What a token may record is ``RecordingRules``' to say, as for the CLI.
    @Sendable func append(_ request: Request, context: ShiplogRequestContext) async throws -> EditedResponse<AppendResponse> {
        let identity = try await backend.authorize(.record, context)
        let key = request.headers[.idempotencyKey]
        let body = try await request.decode(as: AppendBody.self, context: context)
        let defaults = identity.metadata(clientAddress: context.clientAddress)
        let events = body.events.map { event in
            var event = event
            event.metadata = event.metadata.filling(from: defaults)
            return event
        }
        let admitted: AppendRequest
        do {
            admitted = try await RecordingRules(policy: backend.policy, store: backend.store)
                .admit(events, by: identity.principal, refusalMetadata: defaults, expectedVersion: body.expectedVersion, idempotencyKey: key)
        } catch let refusal as AccessRefusal {
            throw backend.forbidden(refusal)
        }
        let result = try await backend.store.append(admitted)
        if !result.deduplicated { backend.metrics.appended(result.events.count) }
        return EditedResponse(
            status: result.deduplicated ? .ok : .created,
            response: AppendResponse(
                events: result.events.map { .init(position: $0.position, id: $0.id, stream: $0.stream, version: $0.version) },
                deduplicated: result.deduplicated))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
