import Foundation
import Ledger
import NIOHTTP1

extension ServiceClient {
    /// One page of `GET /api/v1/events`: each event in the log's one-line form, as the service
    /// wrote it, and the position to ask after for the next page.
    func eventPage(stream: String?, type: String?, actor: String?, after: Int64, limit: Int) async throws -> (lines: [Substring], nextAfter: Int64) {
        let path = "/api/v1/events"
        let answer = try await send(.GET, path, query: [
            ("stream", stream), ("type", type), ("actor", actor), ("after", String(after)), ("limit", String(limit)),
        ])
        struct Page: Decodable {
            struct Positioned: Decodable { var position: Int64 }
            var events: [Positioned]
            var nextAfter: Int64
        }
        let page = try decode(Page.self, from: answer, path: path)
        let text = String(decoding: answer.body, as: UTF8.self)
        guard let lines = JSONArrayText.elements(of: text, after: "{\"events\":"), lines.count == page.events.count else {
            throw ServiceError.notShiplog("\(baseURL) does not answer \(path) as a shiplog service does (its events are not the log's lines)")
        }
        return (lines, page.nextAfter)
    }

    /// What one `POST /api/v1/events` recorded.
    struct Appended: Decodable {
        struct Event: Decodable {
            var position: Int64
            var id: String
            var stream: String
            var version: Int64
        }
        var events: [Event]
        var deduplicated: Bool
    }

    /// The body of one `POST /api/v1/events` that appends `events`, all or none, as `shiplog events
    /// append` does locally.
    ///
    /// The metadata sent is the recorder's own (the line's, filled with the workflow run and commit
    /// of the job it runs in); who is acting is the service's to say, from the credential.
    static func appendBody(_ events: [NewEvent], expectedVersion: ExpectedVersion) -> String {
        let objects = events.map { event in
            var object = "{"
            if let id = event.id { object += "\"id\":\(id.uuidString.lowercased().jsonQuoted)," }
            object += "\"stream\":\(event.stream.jsonQuoted),\"type\":\(event.type.jsonQuoted),\"data\":\(event.data)"
            object += ",\"metadata\":\(event.metadata.json)}"
            return object
        }
        return "{\"events\":[" + objects.joined(separator: ",") + "],\"expected_version\":" + json(expectedVersion) + "}"
    }

    /// Sends an ``appendBody(_:expectedVersion:)``; the same key with the same body is recorded once
    /// however often it is sent.
    func append(body: Data, idempotencyKey: String) async throws -> Appended {
        let path = "/api/v1/events"
        let answer = try await send(.POST, path, body: body, headers: [("Idempotency-Key", idempotencyKey)])
        return try decode(Appended.self, from: answer, path: path)
    }

    /// The recorded events at `positions`, each as the log's line.
    func eventLines(at positions: [Int64]) async throws -> [Substring] {
        guard let first = positions.min(), let last = positions.max() else { return [] }
        var lines: [Substring] = []
        var after = first - 1
        while after < last {
            let page = try await eventPage(stream: nil, type: nil, actor: nil, after: after, limit: Int(min(1000, last - after)))
            guard !page.lines.isEmpty else { break }
            lines += page.lines
            after = page.nextAfter
        }
        return lines
    }

    private static func json(_ version: ExpectedVersion) -> String {
        switch version {
        case .any: "\"any\""
        case .noStream: "\"no-stream\""
        case .streamExists: "\"exists\""
        case .exactly(let number): String(number)
        }
    }
}

extension EventMetadata {
    /// The metadata a recorder may send (`EventMetadata.ledgerFieldNames` are the service's to set):
    /// this line's own, filled with `context`'s run, commit and commit time.
    func recorderFields(filledFrom context: EventMetadata) -> EventMetadata {
        EventMetadata(
            actor: actor, onBehalfOf: onBehalfOf ?? context.onBehalfOf, source: source ?? context.source, commit: commit ?? context.commit,
            committedAt: committedAt ?? context.committedAt, correlationID: correlationID, causationID: causationID)
    }
}
