import Foundation
import Hummingbird
import Ledger
import NIOCore

/// The body of `POST /api/v1/events`: one event (`{"stream": ..., "type": ..., "data": {...}}`),
/// or several at once (`{"events": [...]}`), with an optional `expected_version`. Each event is
/// decoded once, into its typed payload.
struct AppendBody: StrictBody {
    var events: [NewEvent]
    var expectedVersion: ExpectedVersion

    static var fieldsAreCodingKeys: Bool { false }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case events
        case expectedVersion = "expected_version"
    }

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: AnyCodingKey.self) else {
            throw HTTPError(.badRequest, message: "the body must be a JSON object: one event, or {\"events\": [...]}")
        }
        let expectedKey = AnyCodingKey(CodingKeys.expectedVersion.rawValue)
        guard container.contains(AnyCodingKey(CodingKeys.events.rawValue)) else {
            expectedVersion = try Self.expectedVersion(container, expectedKey)
            events = [try NewEvent(from: decoder, alsoAllowing: [expectedKey.stringValue])]
            return
        }
        let batch = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try decoder.ensureNoAdditionalProperties(knownKeys: CodingKeys.self)
        } catch let error as UnknownFieldError {
            throw HTTPError(.badRequest, message: "unknown field '\(error.field)' (expected: events, expected_version)")
        }
        let objects = try Self.eventObjects(batch)
        expectedVersion = try Self.expectedVersion(container, expectedKey)
        events = try objects.enumerated().map { index, object in
            do {
                return try NewEvent(from: object)
            } catch let error as LedgerError where objects.count > 1 {
                throw LedgerError.invalidEvent("events[\(index)]: \(error.message)")
            }
        }
    }

    /// The decoders of the `events` list's objects, once the list is known to hold 1 to 1000 of them.
    private static func eventObjects(_ batch: KeyedDecodingContainer<CodingKeys>) throws -> [any Decoder] {
        let refusal = HTTPError(.badRequest, message: "field 'events' must be a list of 1 to 1000 event objects")
        guard var list = try? batch.nestedUnkeyedContainer(forKey: .events), let count = list.count, (1...1000).contains(count) else {
            throw refusal
        }
        var objects: [any Decoder] = []
        while !list.isAtEnd {
            let object = try list.superDecoder()
            guard (try? object.container(keyedBy: AnyCodingKey.self)) != nil else { throw refusal }
            objects.append(object)
        }
        return objects
    }

    /// A version number, or `"any"`, `"no-stream"`, `"exists"`; `.any` when absent.
    private static func expectedVersion(_ container: KeyedDecodingContainer<AnyCodingKey>, _ key: AnyCodingKey) throws -> ExpectedVersion {
        guard container.contains(key) else { return .any }
        if (try? container.decode(Bool.self, forKey: key)) == nil {
            if let number = try? container.decode(Int64.self, forKey: key), let version = ExpectedVersion(argument: String(number)) {
                return version
            }
            if let text = try? container.decode(String.self, forKey: key), let version = ExpectedVersion(argument: text) { return version }
        }
        throw HTTPError(.badRequest, message: "expected_version must be a version number, \"any\", \"no-stream\" or \"exists\"")
    }
}

/// What an append recorded: each event's place in the log, and whether the request was a retry
/// answered from the log.
///
/// Written by hand rather than through the context's `JSONEncoder` (snake_case conversion and
/// sorted keys for every key of every response): in a profile of `POST /api/v1/events` under
/// wrk, encoding this response took 5.5% of the service's CPU through the encoder and 0.3%
/// written out here (2026-11-29). The bytes are the encoder's: keys sorted, no whitespace.
struct AppendResponse: ResponseGenerator, Encodable {
    struct Appended: Encodable {
        var position: Int64
        var id: String
        var stream: String
        var version: Int64
    }

    var events: [Appended]
    var deduplicated: Bool

    var json: String {
        var text = "{\"deduplicated\":\(deduplicated),\"events\":["
        for (index, event) in events.enumerated() {
            if index > 0 { text += "," }
            text += "{\"id\":\(event.id.jsonQuoted),\"position\":\(event.position),"
            text += "\"stream\":\(event.stream.jsonQuoted),\"version\":\(event.version)}"
        }
        return text + "]}"
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
