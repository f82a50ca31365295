import Ledger

/// An action a principal may not take: a 403 over HTTP, a one-line error on the CLI, and an
/// `AccessDenied` event in the audit.
public struct AccessRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var action: Permissions.Action
    public var app: String?
    public var environment: String?
    public var reason: String

    public init(_ action: Permissions.Action, app: String? = nil, environment: String? = nil, reason: String) {
        self.action = action
        self.app = app
        self.environment = environment
        self.reason = reason
    }

    public var description: String { "access denied: \(reason)" }

    /// The refusal as the audit keeps it.
    public var event: AccessDenied {
        AccessDenied(action: action.rawValue, app: app, environment: environment, reason: reason)
    }

    /// Appends the refusal to the `access` stream, under `metadata` (who was refused).
    public func record(in store: EventStore, metadata: EventMetadata) async throws {
        _ = try await store.append([NewEvent(stream: "access", event, metadata: metadata)])
    }
}
