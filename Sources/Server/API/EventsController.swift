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

    @Sendable func list(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        try await backend.authorize(.read, context)
        let query = try QueryReader(request, allowed: ["after", "limit", "stream", "type"])
        let after = try query.integer("after", in: 0...Int64.max, default: 0) ?? 0
        let limit = try query.integer("limit", in: 1...1000, default: 100) ?? 100
        let stream = try query.name("stream")
        let type = try query.name("type")
        let events = try backend.store.events(EventFilter(stream: stream, type: type, after: after, limit: Int(limit)))
        let next = events.last?.position ?? after
        return JSONBody.object(["events": JSONBody.events(events), "next_after": String(next)])
    }

    /// `{"stream": ..., "type": ..., "data": {...}}`, or `{"events": [...], "expected_version": N}`
    /// for several at once. The actor is the token's; the body may say whom a bot acted for, and
    /// the run URL and commit. What a token may record is ``RecordingRules``' to say, as for the CLI.
    @Sendable func append(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        let identity = try await backend.authorize(.record, context)
        let key = request.headers[.idempotencyKey]
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) else {
            throw HTTPError(.badRequest, message: "the body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw HTTPError(.badRequest, message: "the body must be a JSON object: one event, or {\"events\": [...]}")
        }
        try EventLineParser.refuseDuplicateKeys(in: buffer.readableBytesView, what: "the body")
        var objects: [[String: Any]]
        var expected = ExpectedVersion.any
        if let list = object["events"] {
            if let unknown = object.keys.first(where: { $0 != "events" && $0 != "expected_version" }) {
                throw HTTPError(.badRequest, message: "unknown field '\(unknown)' (expected: events, expected_version)")
            }
            guard let events = list as? [[String: Any]], !events.isEmpty, events.count <= 1000 else {
                throw HTTPError(.badRequest, message: "field 'events' must be a list of 1 to 1000 event objects")
            }
            objects = events
            if let value = object["expected_version"] { expected = try expectedVersion(value) }
        } else {
            var single = object
            if let value = single.removeValue(forKey: "expected_version") { expected = try expectedVersion(value) }
            objects = [single]
        }
        let defaults = identity.metadata(clientAddress: context.clientAddress)
        var events: [NewEvent] = []
        for (index, object) in objects.enumerated() {
            do {
                events.append(try EventLineParser.parseObject(object, defaults: defaults))
            } catch let error as LedgerError where objects.count > 1 {
                throw LedgerError.invalidEvent("events[\(index)]: \(error.message)")
            }
        }
        let admitted: AppendRequest
        do {
            admitted = try await RecordingRules(policy: backend.policy, store: backend.store)
                .admit(events, by: identity.principal, refusalMetadata: defaults, expectedVersion: expected, idempotencyKey: key)
        } catch let refusal as AccessRefusal {
            throw backend.forbidden(refusal)
        }
        let result = try await backend.store.append(admitted)
        if !result.deduplicated { backend.metrics.appended(result.events.count) }
        let recorded = result.events.map { event in
            "{\"position\":\(event.position),\"id\":\"\(event.id)\",\"stream\":\(event.stream.jsonQuoted),\"version\":\(event.version)}"
        }
        return JSONBody.object(
            ["events": "[" + recorded.joined(separator: ",") + "]", "deduplicated": result.deduplicated ? "true" : "false"],
            status: result.deduplicated ? .ok : .created)
    }

    private func expectedVersion(_ value: Any) throws -> ExpectedVersion {
        if !(value is Bool), let number = value as? Int64, let version = ExpectedVersion(argument: String(number)) {
            return version
        }
        if let text = value as? String, let version = ExpectedVersion(argument: text) { return version }
        throw HTTPError(.badRequest, message: "expected_version must be a version number, \"any\", \"no-stream\" or \"exists\"")
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
