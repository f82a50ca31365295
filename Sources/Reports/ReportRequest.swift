import Foundation
import Ledger

/// What to report on, and how to sign it.
public struct ReportRequest: Sendable {
    /// Inclusive lower bound on a deployment's start (the log's timestamp format).
    public var since: String?
    /// Exclusive upper bound on a deployment's start.
    public var until: String?
    public var app: String?
    public var environment: String?
    /// Signs a checkpoint at the report's tree size; without one, a stored
    /// checkpoint of exactly that size is embedded, else an unsigned one.
    public var signer: NoteSigner?
    /// The checkpoint's origin line (default: the key's name, else "shiplog").
    public var origin: String?
    /// Embeds a consistency proof from this older tree size (an auditor's previous checkpoint).
    public var previousSize: UInt64?
    /// Carries the events (only the JSON form needs them; the others skip reading them).
    public var includesEvents: Bool
    public var generatedAt: Date

    public init(since: String? = nil, until: String? = nil, app: String? = nil, environment: String? = nil,
                signer: NoteSigner? = nil, origin: String? = nil, previousSize: UInt64? = nil,
                includesEvents: Bool = true, generatedAt: Date = Date()) {
        self.since = since
        self.until = until
        self.app = app
        self.environment = environment
        self.signer = signer
        self.origin = origin
        self.previousSize = previousSize
        self.includesEvents = includesEvents
        self.generatedAt = generatedAt
    }
}
