import Ledger

/// An event as a report carries it: data and metadata as the exact text the
/// hash covers, hashes in hex.
public struct EvidenceEvent: Codable, Sendable, Equatable {
    public var position: Int64
    public var id: String
    public var stream: String
    public var version: Int64
    public var type: String
    public var data: String
    public var metadata: String
    public var recordedAt: String
    public var prevHash: String
    public var hash: String

    public init(_ event: RecordedEvent) {
        position = event.position
        id = event.id
        stream = event.stream
        version = event.version
        type = event.type
        data = event.data
        metadata = event.metadata
        recordedAt = event.recordedAt
        prevHash = event.prevHash.hexString
        hash = event.hash.hexString
    }

    /// Appends the event as one JSON object, keys sorted as the encoder sorts them.
    func appendJSON(to bytes: inout [UInt8]) {
        var object = JSONObjectWriter(bytes: &bytes)
        object.string("data", data)
        object.string("hash", hash)
        object.string("id", id)
        object.string("metadata", metadata)
        object.number("position", position)
        object.string("prev_hash", prevHash)
        object.string("recorded_at", recordedAt)
        object.string("stream", stream)
        object.string("type", type)
        object.number("version", version)
        object.close(into: &bytes)
    }

    /// The event as the ledger types it; `nil` when a hash is not hex.
    public var recorded: RecordedEvent? {
        guard let prevHash = [UInt8](hex: prevHash), let hash = [UInt8](hex: hash) else { return nil }
        return RecordedEvent(position: position, id: id, stream: stream, version: version, type: type, data: data,
                             metadata: metadata, recordedAt: recordedAt, prevHash: prevHash, hash: hash)
    }
}
