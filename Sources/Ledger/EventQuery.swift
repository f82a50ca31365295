import SQLite

/// Which events to read: any combination of stream, type and actor, after a
/// position, up to a limit, in position order.
public struct EventFilter: Sendable, Equatable {
    public var stream: String?
    public var type: String?
    /// The effective actor (the person a bot acted for, else the actor).
    public var actor: String?
    /// Only events after this position.
    public var after: Int64
    /// Only events up to and including this position.
    public var through: Int64?
    public var limit: Int?

    public init(stream: String? = nil, type: String? = nil, actor: String? = nil, after: Int64 = 0, through: Int64? = nil, limit: Int? = nil) {
        self.stream = stream
        self.type = type
        self.actor = actor
        self.after = after
        self.through = through
        self.limit = limit
    }
}

/// The SQL that reads events back.
enum EventQuery {
    static let select = "SELECT position, id, stream, version, type, data, metadata, recorded_at, prev_hash, hash FROM events"

    static func read(_ row: Statement) -> RecordedEvent {
        RecordedEvent(
            position: row.int64(at: 0), id: row.string(at: 1), stream: row.string(at: 2), version: row.int64(at: 3),
            type: row.string(at: 4), data: row.string(at: 5), metadata: row.string(at: 6), recordedAt: row.string(at: 7),
            prevHash: row.blob(at: 8), hash: row.blob(at: 9))
    }

    static func events(_ filter: EventFilter, _ db: Connection) throws -> [RecordedEvent] {
        var conditions = SQLConditions()
        conditions.add("position > ?", filter.after)
        conditions.add("position <= ?", filter.through)
        conditions.add("stream = ?", filter.stream)
        conditions.add("type = ?", filter.type)
        conditions.add("actor = ?", filter.actor)
        return try conditions.query(
            db, select: select, suffix: " ORDER BY position" + (filter.limit == nil ? "" : " LIMIT ?"),
            trailing: filter.limit.map { [$0] } ?? [], read: read)
    }
}
