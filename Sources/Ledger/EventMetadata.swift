import Foundation

/// Who did something, how, and from where: stored as JSON beside every event.
///
/// `actor` is who acted (a person, or a bot); `onBehalfOf` is the person a bot
/// acted for. The person is the actor that counts: ``effectiveActor``.
public struct EventMetadata: Codable, Sendable, Equatable {
    public var actor: String?
    public var onBehalfOf: String?
    public var role: String?
    public var authMethod: String?
    /// Where the event came from, such as a workflow run URL.
    public var source: String?
    public var commit: String?
    /// When `commit` was made (UTC ISO 8601): lead time for changes runs from here to stable.
    public var committedAt: String?
    public var correlationID: String?
    public var causationID: String?
    public var clientAddress: String?
    /// `recorded` for what an outside recorder appended (`POST /api/v1/events`, `shiplog events
    /// append`); absent for what shiplog's own flows wrote. Set by shiplog, never by a client: a
    /// recorded stream belongs to the actor of its first event.
    public var origin: String?
    /// The workflow file that ran (`OWNER/REPO/.github/workflows/FILE@REF`), as a verified GitHub
    /// Actions ID token says: set by shiplog, never by a client.
    public var workflowRef: String?

    public init(
        actor: String? = nil, onBehalfOf: String? = nil, role: String? = nil, authMethod: String? = nil,
        source: String? = nil, commit: String? = nil, committedAt: String? = nil, correlationID: String? = nil,
        causationID: String? = nil, clientAddress: String? = nil, origin: String? = nil, workflowRef: String? = nil
    ) {
        self.actor = actor
        self.onBehalfOf = onBehalfOf
        self.role = role
        self.authMethod = authMethod
        self.source = source
        self.commit = commit
        self.committedAt = committedAt
        self.correlationID = correlationID
        self.causationID = causationID
        self.clientAddress = clientAddress
        self.origin = origin
        self.workflowRef = workflowRef
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case actor
        case authMethod = "auth_method"
        case causationID = "causation_id"
        case clientAddress = "client_address"
        case commit
        case committedAt = "committed_at"
        case correlationID = "correlation_id"
        case onBehalfOf = "on_behalf_of"
        case origin
        case role
        case source
        case workflowRef = "workflow_ref"
    }

    /// Decodes stored metadata JSON.
    public static func decode(from text: String) throws -> EventMetadata {
        try sharedDecoder.decode(EventMetadata.self, from: Data(text.utf8))
    }

    /// The names metadata may carry, as they appear in JSON.
    public static let fieldNames = CodingKeys.allCases.map(\.rawValue)

    /// The fields only shiplog sets: a recorder that sends one is refused.
    public static let ledgerFieldNames: Set<String> = ["role", "auth_method", "client_address", "origin", "workflow_ref"]

    /// The value of ``origin`` for what an outside recorder appended.
    public static let recordedOrigin = "recorded"

    /// The person who counts: the one a bot acted for, else the actor.
    public var effectiveActor: String? { onBehalfOf ?? actor }

    /// The bot that acted for a person, if one did.
    public var via: String? { onBehalfOf == nil ? nil : actor }

    /// The JSON text stored in the log: keys sorted, no whitespace, nulls left out.
    ///
    /// Written by hand because it runs once per appended event and must be
    /// deterministic (it is part of what the hash chain covers).
    public var json: String {
        var text = "{"
        func field(_ key: String, _ value: String?) {
            guard let value else { return }
            if text.utf8.count > 1 { text += "," }
            JSONText.appendQuoted(key, to: &text)
            text += ":"
            JSONText.appendQuoted(value, to: &text)
        }
        field("actor", actor)
        field("auth_method", authMethod)
        field("causation_id", causationID)
        field("client_address", clientAddress)
        field("commit", commit)
        field("committed_at", committedAt)
        field("correlation_id", correlationID)
        field("on_behalf_of", onBehalfOf)
        field("origin", origin)
        field("role", role)
        field("source", source)
        field("workflow_ref", workflowRef)
        text += "}"
        return text
    }
}

extension EventMetadata {
    /// Metadata as a recorder writes it: only known fields, every value a string, none of the
    /// fields only shiplog sets, names and times that read as such.
    ///
    /// - Throws: ``LedgerError`` naming the field.
    init(recordedFrom decoder: any Decoder) throws {
        do {
            try decoder.ensureNoAdditionalProperties(knownKeys: CodingKeys.self)
        } catch let error as UnknownFieldError {
            throw LedgerError.invalidEvent("unknown metadata field '\(error.field)' (expected: \(Self.fieldNames.joined(separator: ", ")))")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var values: [CodingKeys: String] = [:]
        for key in container.allKeys.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let value = try? container.decode(String.self, forKey: key) else {
                throw LedgerError.invalidEvent("metadata field '\(key.rawValue)' must be a string")
            }
            values[key] = value
        }
        if let owned = values.keys.map(\.rawValue).filter(Self.ledgerFieldNames.contains).sorted().first {
            throw LedgerError.invalidEvent("metadata field '\(owned)' is set by shiplog, not by the recorder")
        }
        self.init(
            actor: values[.actor], onBehalfOf: values[.onBehalfOf], source: values[.source], commit: values[.commit],
            committedAt: values[.committedAt], correlationID: values[.correlationID], causationID: values[.causationID])
        if let actor { try NameRule.check(actor, what: "metadata field 'actor'") }
        if let onBehalfOf { try NameRule.check(onBehalfOf, what: "metadata field 'on_behalf_of'") }
        if let committedAt, Timestamp.date(from: committedAt) == nil {
            throw LedgerError.invalidEvent("metadata field 'committed_at' must be a date or an ISO 8601 time, not '\(committedAt.prefix(80))'")
        }
    }
}

/// Decoders hold no state between calls; one is shared rather than made per event.
private let sharedDecoder = JSONDecoder()

extension EventMetadata {
    /// Who is acting, from an explicit actor, else `SHIPLOG_ACTOR`, else `GITHUB_ACTOR`;
    /// inside GitHub Actions also the workflow run URL and the commit; the
    /// commit's time from `SHIPLOG_COMMITTED_AT` (GitHub Actions has no variable for it).
    ///
    /// - Parameters:
    ///   - actor: the `--actor` flag, if given.
    ///   - environment: the process environment.
    public static func fromContext(actor: String?, onBehalfOf: String? = nil, environment: [String: String]) -> EventMetadata {
        var metadata = EventMetadata(
            actor: actor ?? environment["SHIPLOG_ACTOR"] ?? environment["GITHUB_ACTOR"],
            onBehalfOf: onBehalfOf,
            authMethod: "cli")
        if let server = environment["GITHUB_SERVER_URL"], let repository = environment["GITHUB_REPOSITORY"],
           let run = environment["GITHUB_RUN_ID"] {
            metadata.source = "\(server)/\(repository)/actions/runs/\(run)"
            metadata.authMethod = "github-actions"
        }
        metadata.commit = environment["GITHUB_SHA"]
        metadata.committedAt = environment["SHIPLOG_COMMITTED_AT"]
        return metadata
    }

    /// Fills every field this metadata leaves empty from `defaults`.
    public func filling(from defaults: EventMetadata) -> EventMetadata {
        EventMetadata(
            actor: actor ?? defaults.actor, onBehalfOf: onBehalfOf ?? defaults.onBehalfOf, role: role ?? defaults.role,
            authMethod: authMethod ?? defaults.authMethod, source: source ?? defaults.source, commit: commit ?? defaults.commit,
            committedAt: committedAt ?? defaults.committedAt, correlationID: correlationID ?? defaults.correlationID, causationID: causationID ?? defaults.causationID,
            clientAddress: clientAddress ?? defaults.clientAddress, origin: origin ?? defaults.origin, workflowRef: workflowRef ?? defaults.workflowRef)
    }
}
