/// What an append wrote (or, for a retried idempotency key, what it wrote before).
public struct AppendResult: Sendable, Equatable {
    /// The events as recorded, in position order.
    public var events: [RecordedEvent]
    /// `true` when an earlier append with the same idempotency key and content
    /// already wrote these events, and nothing new was written.
    public var deduplicated: Bool

    public var firstPosition: Int64? { events.first?.position }
    public var lastPosition: Int64? { events.last?.position }
}
