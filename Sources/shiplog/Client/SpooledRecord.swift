import Foundation

/// One append waiting in the spool: the request body exactly as it was first built (its events,
/// their metadata from the job that made them, and the expected version), the service it was
/// meant for, and the idempotency key that makes sending it again harmless.
struct SpooledRecord: Codable, Equatable {
    var server: String
    var idempotencyKey: String
    /// The `POST /api/v1/events` body as text, so it is resent byte for byte: the service
    /// deduplicates a key only against the same content.
    var body: String
    var events: Int
    var spooledAt: String

    enum CodingKeys: String, CodingKey {
        case server, body, events
        case idempotencyKey = "idempotency_key"
        case spooledAt = "spooled_at"
    }

    init(server: String, idempotencyKey: String, body: String, events: Int, spooledAt: Date = Date()) {
        self.server = server
        self.idempotencyKey = idempotencyKey
        self.body = body
        self.events = events
        self.spooledAt = spooledAt.formatted(.iso8601)
    }

    /// The record as one line of the spool, without its newline.
    func line() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    init(line: Substring) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(line.utf8))
    }
}
