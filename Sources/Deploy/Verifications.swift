import Access
import Foundation
import Ledger

/// Verification results (an end-to-end suite's outcome for an app, environment and tag): records
/// them, checked against the configuration, and reads them back for promotion gates.
///
/// ```swift
/// let verifications = Verifications(configuration: configuration, store: store)
/// try await verifications.record(VerificationRecorded(app: "frontend", environment: "staging", tag: "3f9c2e1",
///                                                     name: "e2e", outcome: .passed), metadata: metadata)
/// ```
public struct Verifications: Sendable {
    public let configuration: ShiplogConfiguration
    public let store: EventStore
    /// Whether the actor is checked against the configuration's deployers and maintainers (the
    /// CLI); the HTTP service checks the token's role before, and the webhook's signature is its
    /// authority.
    public var checksActors = true

    public init(configuration: ShiplogConfiguration, store: EventStore) {
        self.configuration = configuration
        self.store = store
    }

    /// Refuses a result for an app or environment the configuration lacks, or with a name, tag,
    /// run id, commit or URL that is not one: the same checks on every path, before anything is written.
    ///
    /// - Throws: ``DeployError``.
    public func check(_ result: VerificationRecorded) throws {
        _ = try configuration.target(app: result.app, environment: result.environment)
        var names = [("name", result.name), ("tag", result.tag)]
        if let runId = result.runId { names.append(("run id", runId)) }
        if let commit = result.commit { names.append(("commit", commit)) }
        for (what, value) in names where !NameRule.isValid(value) {
            throw DeployError.badRequest(NameRule.problem(value, what: "the verification's \(what)"))
        }
        if let url = result.url {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased()), parsed.host?.isEmpty == false,
                  url.utf8.count <= 2048 else {
                throw DeployError.badRequest("the verification's url must be an http(s) URL of at most 2048 bytes, not '\(url.prefix(80))'")
            }
        }
    }

    /// Checks and records `result` (after the actor, when ``checksActors``) as `VerificationRecorded`.
    ///
    /// - Throws: ``DeployError`` for bad input or a refused actor (recorded as `AccessDenied`).
    @discardableResult
    public func record(_ result: VerificationRecorded, metadata: EventMetadata) async throws -> RecordedEvent {
        try check(result)
        if checksActors {
            try await configuration.authorize(.record, app: result.app, environment: result.environment, metadata: metadata, store: store)
        }
        let stream = VerificationRecorded.stream(app: result.app, environment: result.environment)
        let appended = try await store.append([NewEvent(stream: stream, result, metadata: metadata)])
        guard let event = appended.events.first else { throw DeployError.badRequest("the verification was not recorded") }
        return event
    }

    /// The results recorded for `app` in `environment`, oldest first; only those for `tag` when given.
    public static func results(in store: EventStore, app: String, environment: String, tag: String? = nil) throws -> [RecordedVerification] {
        let events = try store.events(EventFilter(
            stream: VerificationRecorded.stream(app: app, environment: environment), type: VerificationRecorded.eventType))
        return try events.compactMap { event in
            let result = try VerificationRecorded.decode(from: event.data)
            guard tag == nil || result.tag == tag else { return nil }
            let metadata = event.decodedMetadata()
            return RecordedVerification(result: result, position: event.position, recordedAt: event.recordedAt, actor: metadata.onBehalfOf ?? metadata.actor)
        }
    }
}

/// One recorded verification result, with where and when the ledger holds it.
public struct RecordedVerification: Sendable, Equatable {
    public var result: VerificationRecorded
    public var position: Int64
    public var recordedAt: String
    /// Who recorded it (the person a bot acted for, when one did).
    public var actor: String?

    public init(result: VerificationRecorded, position: Int64, recordedAt: String, actor: String?) {
        self.result = result
        self.position = position
        self.recordedAt = recordedAt
        self.actor = actor
    }
}
