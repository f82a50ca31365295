import Crypto
import Foundation

/// One atomic append: its events, what it expects of their stream, and an
/// optional idempotency key.
public struct AppendRequest: Sendable {
    public var events: [NewEvent]
    public var expectedVersion: ExpectedVersion
    public var idempotencyKey: IdempotencyKey?
    /// Streams that must not exist when the append commits: a recorder opening a stream of its
    /// own must not land in one someone else opened in the meantime.
    public var newStreams: Set<String> = []

    /// - Throws: ``LedgerError`` when the request is malformed (no events, an
    ///   empty stream, or an expectation over events of several streams).
    public init(events: [NewEvent], expectedVersion: ExpectedVersion = .any, idempotencyKey: IdempotencyKey? = nil) throws {
        guard !events.isEmpty else { throw LedgerError.invalidEvent("nothing to append: no events") }
        for event in events {
            guard !event.stream.isEmpty else { throw LedgerError.invalidEvent("\(event.type): missing field 'stream'") }
        }
        if expectedVersion != .any, Set(events.map(\.stream)).count > 1 {
            throw LedgerError.invalidEvent("an expected version applies to one stream, but the events are in \(Set(events.map(\.stream)).count) streams")
        }
        if let idempotencyKey, idempotencyKey.key.isEmpty {
            throw LedgerError.invalidEvent("an idempotency key must not be empty")
        }
        var ids: Set<UUID> = []
        for id in events.compactMap(\.id) where !ids.insert(id).inserted {
            throw LedgerError.invalidEvent("event id \(id.uuidString.lowercased()) is given twice")
        }
        self.events = events
        self.expectedVersion = expectedVersion
        self.idempotencyKey = idempotencyKey
    }

    /// What "the same content" means for an idempotency key: the same events
    /// (stream, type, data, and id when given) in the same order.
    var contentHash: [UInt8] {
        var hasher = SHA256()
        for event in events {
            for field in [event.stream, event.type, event.data, event.id?.uuidString ?? ""] {
                withUnsafeBytes(of: UInt32(field.utf8.count).bigEndian) { hasher.update(bufferPointer: $0) }
                hasher.update(data: Data(field.utf8))
            }
        }
        return Array(hasher.finalize())
    }
}
