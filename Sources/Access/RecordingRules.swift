import Ledger

/// What an outside recorder — a CI step over `POST /api/v1/events` or `shiplog events append` —
/// may append: only the types recorders write, only into streams it opened itself, and a
/// deployment only where it could have made that deployment through the deploy commands.
///
/// ```swift
/// let request = try await RecordingRules(policy: policy, store: store)
///     .admit(events, by: principal, refusalMetadata: metadata, idempotencyKey: key)
/// let result = try await store.append(request)
/// ```
public struct RecordingRules: Sendable {
    public let policy: AccessPolicy
    public let store: EventStore

    /// Recorder types that need no deployment stream: a build happened whether or not a deploy follows.
    static let buildTypes: Set<String> = [ImageBuilt.eventType, BuildFailed.eventType]

    public init(policy: AccessPolicy, store: EventStore) {
        self.policy = policy
        self.store = store
    }

    /// The append `events` make once admitted: each stamped as recorded by `principal`, its new
    /// streams required to be new when it commits, the key scoped to `principal`.
    ///
    /// - Parameters:
    ///   - events: parsed events whose metadata defaults were filled from the request's context.
    ///   - refusalMetadata: who a refusal is recorded under (the principal, as the request says it).
    /// - Throws: ``AccessRefusal`` (recorded as `AccessDenied` first when the actor is known) for
    ///   anything the principal may not write; ``LedgerError`` for an actor that is not the principal.
    public func admit(
        _ events: [NewEvent], by principal: Principal, refusalMetadata: EventMetadata,
        expectedVersion: ExpectedVersion = .any, idempotencyKey: String? = nil
    ) async throws -> AppendRequest {
        do {
            let stamped = try stamp(events, by: principal)
            let key = try idempotencyKey.map { try IdempotencyKey($0, scope: principal.idempotencyScope) }
            var request = try AppendRequest(events: stamped, expectedVersion: expectedVersion, idempotencyKey: key)
            try await checkTypes(stamped, by: principal)
            // A retry under a key already used is answered from the first append (or refused as a
            // conflict) by the store: the streams it opened exist now, and were checked then.
            if let key, try store.hasAppended(under: key) { return request }
            if expectedVersion != .any, let stream = stamped.first?.stream {
                let actual = try store.streamVersion(stream)
                guard expectedVersion.accepts(actual: actual) else {
                    throw LedgerError.wrongExpectedVersion(stream: stream, expected: expectedVersion, actual: actual)
                }
            }
            request.newStreams = try await checkStreams(stamped, by: principal)
            return request
        } catch let refusal as AccessRefusal {
            if !principal.name.isEmpty { try await refusal.record(in: store, metadata: refusalMetadata) }
            throw refusal
        }
    }

    /// The events with the principal as their actor and `recorded` as their origin.
    private func stamp(_ events: [NewEvent], by principal: Principal) throws -> [NewEvent] {
        try events.map { event in
            if let claimed = event.metadata.actor, claimed != principal.name {
                throw LedgerError.invalidEvent("metadata.actor is who records (\(principal.name.isEmpty ? "nobody: pass --actor" : principal.name)), not '\(claimed)'; a bot names the person with on_behalf_of")
            }
            var event = event
            event.metadata.actor = principal.name
            event.metadata.origin = EventMetadata.recordedOrigin
            if let run = principal.workflow { event.metadata = try Self.verified(event.metadata, by: run) }
            return event
        }
    }

    /// `metadata` with the run, commit and workflow a GitHub Actions token proved, refusing a body
    /// that says otherwise — or that names someone else as the person the run acted for.
    static func verified(_ metadata: EventMetadata, by run: WorkflowRun) throws -> EventMetadata {
        func contradicts(_ field: String, _ claimed: String?, _ accepted: [String], _ verified: String) throws {
            guard let claimed, !accepted.contains(claimed) else { return }
            throw LedgerError.invalidEvent("metadata.\(field) is what the GitHub Actions token proves (\(verified)), not '\(claimed)'")
        }
        try contradicts("on_behalf_of", metadata.onBehalfOf, [run.actor], run.actor)
        try contradicts("source", metadata.source, [run.url, run.runURL], run.url)
        try contradicts("commit", metadata.commit, [run.sha], run.sha)
        var metadata = metadata
        metadata.onBehalfOf = nil
        metadata.source = run.url
        metadata.commit = run.sha
        metadata.workflowRef = run.workflowRef
        return metadata
    }

    /// Refuses types only shiplog writes, and a principal that may not record at all.
    private func checkTypes(_ events: [NewEvent], by principal: Principal) async throws {
        for event in events {
            if case .shiplog(let writers) = EventTypes.writer(of: event.type) {
                throw AccessRefusal(.record, reason: "\(event.type) is written only by \(writers), never recorded from outside")
            }
        }
        for person in Set(events.map(\.metadata.onBehalfOf)) {
            if let reason = await policy.refusal(.record, by: principal, onBehalfOf: person) { throw AccessRefusal(.record, reason: reason) }
        }
    }

    /// Refuses streams the principal may not write and deployments it could not have made;
    /// returns the streams the append opens.
    private func checkStreams(_ events: [NewEvent], by principal: Principal) async throws -> Set<String> {
        let opened = try store.firstEvents(of: events.map(\.stream))
        var newStreams: Set<String> = []
        var firstType: [String: String] = [:]
        for event in events {
            var opens = false
            if let first = opened[event.stream] {
                let owner = first.decodedMetadata()
                guard owner.origin == EventMetadata.recordedOrigin else {
                    throw AccessRefusal(.record, reason: "stream \(event.stream) is written by shiplog's own flows; recorders append only to streams they opened")
                }
                guard owner.actor == principal.name else {
                    throw AccessRefusal(.record, reason: "stream \(event.stream) was opened by \(owner.actor ?? "someone else"); only they may append to it")
                }
                firstType[event.stream] = first.type
            } else if firstType[event.stream] == nil {
                newStreams.insert(event.stream)
                firstType[event.stream] = event.type
                opens = true
            }
            try checkPlace(event, streamOpenedWith: firstType[event.stream] ?? event.type, opens: opens)
            if let requested = event.payload as? DeploymentRequested {
                let action = Self.action(for: requested)
                if let reason = await policy.refusal(action, by: principal, onBehalfOf: event.metadata.onBehalfOf) {
                    throw AccessRefusal(action, app: requested.app, environment: requested.environment, reason: reason)
                }
                if requested.freezeOverride != nil,
                   let reason = await policy.refusal(.overrideFreeze, by: principal, onBehalfOf: event.metadata.onBehalfOf) {
                    throw AccessRefusal(.overrideFreeze, app: requested.app, environment: requested.environment, reason: reason)
                }
            }
        }
        return newStreams
    }

    /// A deployment's steps go only into a deployment stream, which its `DeploymentRequested` opens.
    private func checkPlace(_ event: NewEvent, streamOpenedWith first: String, opens: Bool) throws {
        if event.type == DeploymentRequested.eventType {
            guard opens else {
                throw LedgerError.invalidEvent("DeploymentRequested opens its stream: \(event.stream) already exists (record each deployment in a new stream)")
            }
        } else if !Self.buildTypes.contains(event.type), first != DeploymentRequested.eventType {
            throw LedgerError.invalidEvent("\(event.type) belongs to a deployment: stream \(event.stream) must open with DeploymentRequested")
        }
    }

    /// What making the requested deployment would have needed.
    static func action(for requested: DeploymentRequested) -> Permissions.Action {
        switch requested.trigger {
        case .rollback: .rollback
        case .promotion: .promote
        case .reconcile: .reconcile
        case .merge, .release, .manual: .deploy(to: requested.environment)
        }
    }
}
