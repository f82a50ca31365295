import Foundation

/// The data of a known event type: its JSON shape is its schema.
///
/// Conforming types name their fields in snake_case `CodingKeys` (`task_definition_arn`), so a
/// CI step writes the same JSON the ledger writes, and a field the keys do not list is refused.
public protocol EventPayload: Codable, Sendable {
    /// The event's `type` in the log.
    static var eventType: String { get }
    /// The fields, as JSON names them.
    associatedtype CodingKeys: CodingKey, CaseIterable, RawRepresentable<String>
}

extension EventPayload {
    /// The payload as the JSON text stored in the log (sorted keys).
    public func jsonText() -> String {
        // Encoding plain structs of strings and numbers cannot fail.
        String(decoding: (try? payloadEncoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Decodes the payload from stored JSON text.
    public static func decode(from text: String) throws -> Self {
        do {
            return try payloadDecoder.decode(Self.self, from: Data(text.utf8))
        } catch {
            throw LedgerError.invalidEvent(JSONText.describe(error, in: eventType))
        }
    }

    /// Decodes the payload a client wrote, refusing fields its schema lacks; errors name fields
    /// from the payload's own object down, wherever `decoder` sits in a larger document.
    static func validated(from decoder: any Decoder) throws -> Self {
        let payload: Self
        do {
            payload = try Self(from: decoder)
        } catch let error as DecodingError {
            throw LedgerError.invalidEvent(JSONText.describe(error, in: eventType, below: decoder.codingPath.count))
        }
        do {
            try decoder.ensureNoAdditionalProperties(knownKeys: CodingKeys.self)
        } catch let error as UnknownFieldError {
            let known = CodingKeys.allCases.map(\.rawValue).sorted().joined(separator: ", ")
            throw LedgerError.invalidEvent("\(eventType): unknown field '\(error.field)' (expected: \(known))")
        }
        return payload
    }
}

/// Encoders and decoders hold no state between calls; one each is shared rather than made per event.
private let payloadEncoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
}()

private let payloadDecoder = JSONDecoder()

/// Why a deployment started.
public enum DeploymentTrigger: String, Codable, Sendable, CaseIterable {
    case merge, release, rollback, promotion, reconcile, manual
}

/// Who may write an event type: anyone who may record (an outside recorder such as a CI step,
/// within the permissions its role and the stream's owner give it), or only shiplog's own flows.
public enum EventWriter: Sendable, Equatable {
    /// `POST /api/v1/events` and `shiplog events append` take it.
    case recorders
    /// Only shiplog writes it; the text names the commands and endpoints that do.
    case shiplog(String)
}

/// Every event type the ledger knows, with its schema and who may write it.
public enum EventTypes {
    /// One entry per type: the list validation, the write rules and the documentation read.
    public static let all: [(payload: any EventPayload.Type, writer: EventWriter)] = [
        (DeploymentRequested.self, .recorders), (ImageBuilt.self, .recorders), (BuildFailed.self, .recorders),
        (ImageVerified.self, .recorders), (TaskDefinitionRendered.self, .recorders),
        (TaskDefinitionRegistered.self, .recorders), (ServiceUpdated.self, .recorders), (DeploymentStable.self, .recorders),
        (DeploymentFailed.self, .recorders), (DeploymentTimedOut.self, .recorders),
        (RolledBackAutomatically.self, .recorders), (VersionChecked.self, .recorders), (DeploymentLeftOpen.self, .recorders),
        (ServiceEventReported.self, .shiplog("the workflow engine (`shiplog deploy|rollback|promote|reconcile` or the matching POST /api/v1 endpoints), as it follows the rollout")),
        (TaskStopped.self, .shiplog("the workflow engine (`shiplog deploy|rollback|promote|reconcile` or the matching POST /api/v1 endpoints), when a rollout fails")),
        (RollbackRequested.self, .shiplog("`shiplog rollback` or POST /api/v1/rollbacks")),
        (PromotionQueued.self, .shiplog("`shiplog deploy`/`shiplog promote` or POST /api/v1/deployments and /api/v1/promotions")),
        (PromotionReleased.self, .shiplog("`shiplog promote` or POST /api/v1/promotions")),
        (TemplateChanged.self, .shiplog("`shiplog template set-env|unset-env`")),
        (DriftDetected.self, .shiplog("`shiplog drift`/`shiplog reconcile` or POST /api/v1/reconcile")),
        (DriftCorrected.self, .shiplog("`shiplog reconcile` or POST /api/v1/reconcile")),
        (DriftResolved.self, .shiplog("`shiplog drift`/`shiplog reconcile` or POST /api/v1/reconcile")),
        (ReconcilePlanned.self, .shiplog("`shiplog reconcile --dry-run` or POST /api/v1/reconcile with dry_run")),
        (AccessDenied.self, .shiplog("shiplog itself, when it refuses an action")),
        (TokenIssued.self, .shiplog("`shiplog token create`")),
        (TokenRevoked.self, .shiplog("`shiplog token revoke`")),
        (DeploymentClaimed.self, .shiplog("`shiplog deploy|rollback|promote` or the matching POST /api/v1 endpoints")),
        (DeploymentClaimReleased.self, .shiplog("`shiplog deploy|rollback|promote` or the matching POST /api/v1 endpoints")),
        (DeploymentQueued.self, .shiplog("`shiplog deploy|rollback|promote` or the matching POST /api/v1 endpoints")),
        (DeploymentSuperseded.self, .shiplog("`shiplog deploy|rollback|promote` or the matching POST /api/v1 endpoints")),
        (DeploymentQueueTimedOut.self, .shiplog("`shiplog deploy|rollback|promote` (`--wait-timeout`)")),
        (DeploymentClaimExpired.self, .shiplog("`shiplog deploy|rollback|promote` or the matching POST /api/v1 endpoints")),
        (WorkflowRunReported.self, .shiplog("POST /webhooks/github (GitHub's signed deliveries)")),
        (GitHubDeploymentCreated.self, .shiplog("POST /webhooks/github (GitHub's signed deliveries)")),
        (GitHubDeploymentStatusReported.self, .shiplog("POST /webhooks/github (GitHub's signed deliveries)")),
        (NotificationDelivered.self, .shiplog("the notifier (`shiplog notify` or `shiplog serve` with a `notify:` section)")),
        (NotificationFailed.self, .shiplog("the notifier (`shiplog notify` or `shiplog serve` with a `notify:` section)")),
        (VerificationRecorded.self, .shiplog("`shiplog verification record` or POST /api/v1/verifications (deployers and up), and POST /webhooks/github for a configured workflow's completed run")),
    ]

    /// Who may write `type`; nil for a type the ledger does not know.
    public static func writer(of type: String) -> EventWriter? {
        byName[type]?.writer
    }

    private static let byName: [String: (payload: any EventPayload.Type, writer: EventWriter)] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.payload.eventType, $0) })

    /// The names of all known types, sorted.
    public static var names: [String] { byName.keys.sorted() }

    /// The payload type named `type`.
    ///
    /// - Throws: ``LedgerError`` for a type the ledger does not know, suggesting the nearest.
    static func payloadType(named type: String) throws -> any EventPayload.Type {
        guard let entry = byName[type] else { throw LedgerError.unknownEventType(type, suggestion: nearest(to: type)) }
        return entry.payload
    }

    /// A stored event's payload, decoded from its data text (which was validated when appended).
    static func storedPayload(type: String, data: String) throws -> any EventPayload {
        try decoded(try payloadType(named: type), data)
    }

    private static func decoded<Payload: EventPayload>(_: Payload.Type, _ data: String) throws -> any EventPayload {
        try Payload.decode(from: data)
    }

    /// The payload of `type` that a client wrote at `decoder`, checked against its schema.
    static func payload(type: String, at decoder: any Decoder) throws -> any EventPayload {
        try validated(try payloadType(named: type), decoder)
    }

    private static func validated<Payload: EventPayload>(_: Payload.Type, _ decoder: any Decoder) throws -> any EventPayload {
        try Payload.validated(from: decoder)
    }

    /// The payload of `type` in JSON data text, checked against its schema.
    static func payload(type: String, text: String) throws -> any EventPayload {
        try validated(try payloadType(named: type), text)
    }

    private static func validated<Payload: EventPayload>(_: Payload.Type, _ text: String) throws -> any EventPayload {
        do {
            return try payloadDecoder.decode(Validated<Payload>.self, from: Data(text.utf8)).payload
        } catch let error as DecodingError {
            throw LedgerError.invalidEvent(JSONText.describe(error, in: Payload.eventType))
        }
    }

    /// A payload checked against its schema as it is decoded.
    private struct Validated<Payload: EventPayload>: Decodable {
        let payload: Payload

        init(from decoder: any Decoder) throws {
            payload = try Payload.validated(from: decoder)
        }
    }

    /// The known type closest to `name` by edit distance, if one is close.
    public static func nearest(to name: String) -> String? {
        let scored = names.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, name.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

// MARK: - Deployment lifecycle (stream: `deployment-<id>`)

/// A deployment attempt began: what, where, which tag, and why.
public struct DeploymentRequested: EventPayload, Equatable {
    public static let eventType = "DeploymentRequested"
    public var app: String
    public var environment: String
    public var tag: String
    public var trigger: DeploymentTrigger
    /// Container name → full image reference, when known at request time.
    public var images: [String: String]?
    /// The freeze window the environment was in when this was asked for (a rollback, or an override).
    public var freezeWindow: String?
    /// Why a maintainer deployed inside `freezeWindow` (`--override-freeze`).
    public var freezeOverride: String?

    public init(
        app: String, environment: String, tag: String, trigger: DeploymentTrigger, images: [String: String]? = nil,
        freezeWindow: String? = nil, freezeOverride: String? = nil
    ) {
        self.app = app
        self.environment = environment
        self.tag = tag
        self.trigger = trigger
        self.images = images
        self.freezeWindow = freezeWindow
        self.freezeOverride = freezeOverride
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case app
        case environment
        case tag
        case trigger
        case images
        case freezeWindow = "freeze_window"
        case freezeOverride = "freeze_override"
    }
}

/// A CI step built and pushed an image.
public struct ImageBuilt: EventPayload, Equatable {
    public static let eventType = "ImageBuilt"
    public var image: String
    public var tag: String
    public var digest: String?
    /// The app the image is built for, when the recorder says.
    public var app: String?
    public init(image: String, tag: String, digest: String? = nil, app: String? = nil) {
        self.image = image
        self.tag = tag
        self.digest = digest
        self.app = app
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case image
        case tag
        case digest
        case app
    }
}

/// A CI step failed to build an image: nothing to roll back.
public struct BuildFailed: EventPayload, Equatable {
    public static let eventType = "BuildFailed"
    public var image: String
    public var reason: String
    /// The app the image is built for, when the recorder says.
    public var app: String?
    public init(image: String, reason: String, app: String? = nil) {
        self.image = image
        self.reason = reason
        self.app = app
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case image
        case reason
        case app
    }
}

/// The tag was found in the registry for one of the app's images.
public struct ImageVerified: EventPayload, Equatable {
    public static let eventType = "ImageVerified"
    public var image: String
    public var tag: String
    public var digest: String?
    public init(image: String, tag: String, digest: String? = nil) {
        self.image = image
        self.tag = tag
        self.digest = digest
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case image
        case tag
        case digest
    }
}

/// A task definition was rendered from the template family.
public struct TaskDefinitionRendered: EventPayload, Equatable {
    public static let eventType = "TaskDefinitionRendered"
    public var templateFamily: String
    public var templateRevision: Int?
    public var family: String
    /// Container name → image reference after rendering.
    public var images: [String: String]
    public init(templateFamily: String, templateRevision: Int? = nil, family: String, images: [String: String]) {
        self.templateFamily = templateFamily
        self.templateRevision = templateRevision
        self.family = family
        self.images = images
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case templateFamily = "template_family"
        case templateRevision = "template_revision"
        case family
        case images
    }
}

/// The rendered task definition was registered (or an identical revision reused).
public struct TaskDefinitionRegistered: EventPayload, Equatable {
    public static let eventType = "TaskDefinitionRegistered"
    public var taskDefinitionArn: String
    public var family: String
    public var revision: Int
    public var reused: Bool?
    public init(taskDefinitionArn: String, family: String, revision: Int, reused: Bool? = nil) {
        self.taskDefinitionArn = taskDefinitionArn
        self.family = family
        self.revision = revision
        self.reused = reused
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case taskDefinitionArn = "task_definition_arn"
        case family
        case revision
        case reused
    }
}

/// The ECS service was pointed at the new task definition.
public struct ServiceUpdated: EventPayload, Equatable {
    public static let eventType = "ServiceUpdated"
    public var cluster: String
    public var service: String
    public var taskDefinitionArn: String
    /// The ECS deployment (`ecs-svc/...`) the update started: the one the flow follows.
    public var ecsDeploymentId: String?
    public init(cluster: String, service: String, taskDefinitionArn: String, ecsDeploymentId: String? = nil) {
        self.cluster = cluster
        self.service = service
        self.taskDefinitionArn = taskDefinitionArn
        self.ecsDeploymentId = ecsDeploymentId
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case cluster
        case service
        case taskDefinitionArn = "task_definition_arn"
        case ecsDeploymentId = "ecs_deployment_id"
    }
}

/// ECS reported the service stable on the new task definition: success.
public struct DeploymentStable: EventPayload, Equatable {
    public static let eventType = "DeploymentStable"
    public var taskDefinitionArn: String
    public var revision: Int?
    public var images: [String: String]?
    /// How long the deployment took, on the engine's clock, when it ran from its request to here
    /// in one process: on the simulated ECS its virtual time (rollouts take simulated minutes),
    /// which `recorded_at` never holds. `history`'s duration prefers it to the difference of the
    /// recorded times.
    public var durationMs: Int64?
    public init(taskDefinitionArn: String, revision: Int? = nil, images: [String: String]? = nil, durationMs: Int64? = nil) {
        self.taskDefinitionArn = taskDefinitionArn
        self.revision = revision
        self.images = images
        self.durationMs = durationMs
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case taskDefinitionArn = "task_definition_arn"
        case revision
        case images
        case durationMs = "duration_ms"
    }
}

/// A step of the deployment failed.
public struct DeploymentFailed: EventPayload, Equatable {
    public static let eventType = "DeploymentFailed"
    /// The step that failed: build, verify, render, register, update, stabilize, version.
    public var stage: String
    public var reason: String
    /// How long the deployment took, on the engine's clock, when it ran from its request to here
    /// in one process: on the simulated ECS its virtual time (rollouts take simulated minutes),
    /// which `recorded_at` never holds. `history`'s duration prefers it to the difference of the
    /// recorded times.
    public var durationMs: Int64?
    public init(stage: String, reason: String, durationMs: Int64? = nil) {
        self.stage = stage
        self.reason = reason
        self.durationMs = durationMs
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case stage
        case reason
        case durationMs = "duration_ms"
    }
}

/// The service did not become stable within the timeout.
public struct DeploymentTimedOut: EventPayload, Equatable {
    public static let eventType = "DeploymentTimedOut"
    public var timeoutSeconds: Int
    /// See ``DeploymentStable/durationMs``.
    public var durationMs: Int64?
    public init(timeoutSeconds: Int, durationMs: Int64? = nil) {
        self.timeoutSeconds = timeoutSeconds
        self.durationMs = durationMs
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case timeoutSeconds = "timeout_seconds"
        case durationMs = "duration_ms"
    }
}

/// ECS was told, and following the rollout stopped for a reason that is not ECS's verdict
/// (credentials expired or were refused even after a fresh read): ECS carries on, so the
/// deployment is neither failed nor closed. The next deploy command, `shiplog deploy --resume`,
/// or the service's start follows it to its end.
public struct DeploymentLeftOpen: EventPayload, Equatable {
    public static let eventType = "DeploymentLeftOpen"
    /// The step being followed: stabilize or version.
    public var stage: String
    public var reason: String
    public init(stage: String, reason: String) {
        self.stage = stage
        self.reason = reason
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case stage
        case reason
    }
}

/// ECS's circuit breaker returned the service to an earlier revision.
public struct RolledBackAutomatically: EventPayload, Equatable {
    public static let eventType = "RolledBackAutomatically"
    public var taskDefinitionArn: String
    public var revision: Int?
    public init(taskDefinitionArn: String, revision: Int? = nil) {
        self.taskDefinitionArn = taskDefinitionArn
        self.revision = revision
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case taskDefinitionArn = "task_definition_arn"
        case revision
    }
}

/// What the environment's version endpoint reported after ECS said stable.
public struct VersionChecked: EventPayload, Equatable {
    public static let eventType = "VersionChecked"
    public var url: String
    /// The tag the deploy shipped.
    public var expected: String
    /// What the endpoint last answered; nil when it never answered.
    public var reported: String?
    public var matched: Bool
    public var attempts: Int
    public init(url: String, expected: String, reported: String?, matched: Bool, attempts: Int) {
        self.url = url
        self.expected = expected
        self.reported = reported
        self.matched = matched
        self.attempts = attempts
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case url
        case expected
        case reported
        case matched
        case attempts
    }
}

// MARK: - One deployment at a time (stream: `environment-<app>-<env>`)

/// A deployment took the environment: no other may start until it is released.
///
/// Appended with the stream version read just before, so of two racing deploys one is refused.
public struct DeploymentClaimed: EventPayload, Equatable {
    public static let eventType = "DeploymentClaimed"
    public var deploymentId: String
    public var app: String
    public var environment: String
    /// The process that runs the deployment, `pid@host`: a claim whose process is gone was left by a crash.
    public var owner: String
    /// The run of the workflow engine inside that process.
    public var instance: String?
    public var trigger: DeploymentTrigger?
    /// The queued request (``DeploymentQueued``) this claim starts, when it waited first.
    public var requestId: String?
    public init(
        deploymentId: String, app: String, environment: String, owner: String, instance: String? = nil, trigger: DeploymentTrigger? = nil,
        requestId: String? = nil
    ) {
        self.deploymentId = deploymentId
        self.app = app
        self.environment = environment
        self.owner = owner
        self.instance = instance
        self.trigger = trigger
        self.requestId = requestId
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case deploymentId = "deployment_id"
        case app
        case environment
        case owner
        case instance
        case trigger
        case requestId = "request_id"
    }
}

/// The deployment holding the environment finished (or never started): the next may go.
public struct DeploymentClaimReleased: EventPayload, Equatable {
    public static let eventType = "DeploymentClaimReleased"
    public var deploymentId: String
    public var outcome: ClaimOutcome
    public init(deploymentId: String, outcome: ClaimOutcome) {
        self.deploymentId = deploymentId
        self.outcome = outcome
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case deploymentId = "deployment_id"
        case outcome
    }
}

/// How a claim on an environment ended, as `DeploymentClaimReleased` spells it: its deployment's
/// outcome (`succeeded`, `rolled_back`, ...), or `abandoned`.
public enum ClaimOutcome: Codable, Sendable, Equatable {
    /// The deployment holding the claim ended so.
    case ended(DeploymentOutcome)
    /// The process died before it recorded the deployment's request, so no deployment ended.
    case abandoned

    public var rawValue: String {
        switch self {
        case .ended(let outcome): outcome.rawValue
        case .abandoned: "abandoned"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        if text == ClaimOutcome.abandoned.rawValue {
            self = .abandoned
        } else if let outcome = DeploymentOutcome(rawValue: text) {
            self = .ended(outcome)
        } else {
            let known = (DeploymentOutcome.allCases.map(\.rawValue) + [ClaimOutcome.abandoned.rawValue]).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not one of \(known)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A deploy asked for while another deployment holds the environment waits for it to be released.
///
/// At most one request waits per environment, as in a GitHub concurrency group: a newer one
/// supersedes it (``DeploymentSuperseded``).
public struct DeploymentQueued: EventPayload, Equatable {
    public static let eventType = "DeploymentQueued"
    /// Names the request until it claims the environment (its `DeploymentClaimed` carries it).
    public var requestId: String
    public var app: String
    public var environment: String
    public var tag: String
    public var trigger: DeploymentTrigger
    /// The deployment holding the environment when the request was queued.
    public var behind: String
    /// The waiting process, `pid@host`.
    public var owner: String
    public init(requestId: String, app: String, environment: String, tag: String, trigger: DeploymentTrigger, behind: String, owner: String) {
        self.requestId = requestId
        self.app = app
        self.environment = environment
        self.tag = tag
        self.trigger = trigger
        self.behind = behind
        self.owner = owner
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case requestId = "request_id"
        case app
        case environment
        case tag
        case trigger
        case behind
        case owner
    }
}

/// A newer request for the same app and environment took a waiting request's place; the older one never runs.
public struct DeploymentSuperseded: EventPayload, Equatable {
    public static let eventType = "DeploymentSuperseded"
    public var requestId: String
    public var tag: String
    /// The newer request, and who asked for it (the person a bot acted for, when one did).
    public var supersededBy: String
    public var supersedingTag: String
    public var supersededByActor: String?
    public init(requestId: String, tag: String, supersededBy: String, supersedingTag: String, supersededByActor: String?) {
        self.requestId = requestId
        self.tag = tag
        self.supersededBy = supersededBy
        self.supersedingTag = supersedingTag
        self.supersededByActor = supersededByActor
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case requestId = "request_id"
        case tag
        case supersededBy = "superseded_by"
        case supersedingTag = "superseding_tag"
        case supersededByActor = "superseded_by_actor"
    }
}

/// A waiting request gave up: the environment was not released within its wait timeout.
public struct DeploymentQueueTimedOut: EventPayload, Equatable {
    public static let eventType = "DeploymentQueueTimedOut"
    public var requestId: String
    public var waitedSeconds: Int
    /// The deployment still holding the environment.
    public var behind: String
    public init(requestId: String, waitedSeconds: Int, behind: String) {
        self.requestId = requestId
        self.waitedSeconds = waitedSeconds
        self.behind = behind
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case requestId = "request_id"
        case waitedSeconds = "waited_seconds"
        case behind
    }
}

/// A claim held by a process on another host stopped beating for longer than its time to live:
/// the environment is free again, and the deployment is closed from what ECS runs.
public struct DeploymentClaimExpired: EventPayload, Equatable {
    public static let eventType = "DeploymentClaimExpired"
    public var deploymentId: String
    /// The holder, `pid@host`.
    public var owner: String
    /// When the holder last said it was alive (its claim, when it never beat).
    public var lastHeartbeat: String
    public var ttlSeconds: Int
    /// The process that found the claim expired, `pid@host`.
    public var observedBy: String
    public init(deploymentId: String, owner: String, lastHeartbeat: String, ttlSeconds: Int, observedBy: String) {
        self.deploymentId = deploymentId
        self.owner = owner
        self.lastHeartbeat = lastHeartbeat
        self.ttlSeconds = ttlSeconds
        self.observedBy = observedBy
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case deploymentId = "deployment_id"
        case owner
        case lastHeartbeat = "last_heartbeat"
        case ttlSeconds = "ttl_seconds"
        case observedBy = "observed_by"
    }
}

// MARK: - Requests and decisions

/// Someone asked to roll an environment back to a tag.
public struct RollbackRequested: EventPayload, Equatable {
    public static let eventType = "RollbackRequested"
    public var app: String
    public var environment: String
    public var tag: String
    public init(app: String, environment: String, tag: String) {
        self.app = app
        self.environment = environment
        self.tag = tag
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case app
        case environment
        case tag
    }
}

/// A staging deploy waits for a promotion in flight.
public struct PromotionQueued: EventPayload, Equatable {
    public static let eventType = "PromotionQueued"
    public var app: String
    public var environment: String
    public var tag: String
    /// Why the queued deploy was asked for; it runs with this trigger when released.
    public var trigger: DeploymentTrigger?
    /// The promotion it waits for.
    public var promotion: String?
    /// A maintainer's reason to deploy inside a freeze window, given with the request: the
    /// released deploy carries it, as the request would have.
    public var freezeOverride: String?
    public init(
        app: String, environment: String, tag: String, trigger: DeploymentTrigger? = nil, promotion: String? = nil, freezeOverride: String? = nil
    ) {
        self.app = app
        self.environment = environment
        self.tag = tag
        self.trigger = trigger
        self.promotion = promotion
        self.freezeOverride = freezeOverride
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case app
        case environment
        case tag
        case trigger
        case promotion
        case freezeOverride = "freeze_override"
    }
}

/// A queued deploy was released after the promotion finished.
public struct PromotionReleased: EventPayload, Equatable {
    public static let eventType = "PromotionReleased"
    public var app: String
    public var environment: String
    public var tag: String
    public init(app: String, environment: String, tag: String) {
        self.app = app
        self.environment = environment
        self.tag = tag
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case app
        case environment
        case tag
    }
}

/// The template task definition changed (environment variables or other fields).
public struct TemplateChanged: EventPayload, Equatable {
    public static let eventType = "TemplateChanged"
    public var app: String
    public var environment: String
    public var family: String
    public var revision: Int?
    /// What changed, one line each (`set API_URL=https://...`, `unset OLD`; secrets redacted).
    public var changes: [String]
    public init(app: String, environment: String, family: String, revision: Int? = nil, changes: [String]) {
        self.app = app
        self.environment = environment
        self.family = family
        self.revision = revision
        self.changes = changes
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case app
        case environment
        case family
        case revision
        case changes
    }
}

/// What runs differs from what the ledger says should run.
public struct DriftDetected: EventPayload, Equatable {
    public static let eventType = "DriftDetected"
    public var app: String
    public var environment: String
    public var desired: String
    public var actual: String
    public var differences: [String]
    public init(app: String, environment: String, desired: String, actual: String, differences: [String]) {
        self.app = app
        self.environment = environment
        self.desired = desired
        self.actual = actual
        self.differences = differences
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case app
        case environment
        case desired
        case actual
        case differences
    }
}

/// The reconciler started a deployment to put back what the ledger says should run.
public struct DriftCorrected: EventPayload, Equatable {
    public static let eventType = "DriftCorrected"
    public var app: String
    public var environment: String
    /// Who corrected it: `shiplog` for the reconciler.
    public var by: String
    public var deploymentId: String?
    public init(app: String, environment: String, by: String, deploymentId: String? = nil) {
        self.app = app
        self.environment = environment
        self.by = by
        self.deploymentId = deploymentId
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case app
        case environment
        case by
        case deploymentId = "deployment_id"
    }
}

/// Drift went away: `how` is `corrected` (a reconcile deployed it back) or `external`
/// (someone changed ECS back, or deployed what now runs, outside the reconciler).
public struct DriftResolved: EventPayload, Equatable {
    public static let eventType = "DriftResolved"
    public var app: String
    public var environment: String
    public var how: String
    public var deploymentId: String?
    public init(app: String, environment: String, how: String, deploymentId: String? = nil) {
        self.app = app
        self.environment = environment
        self.how = how
        self.deploymentId = deploymentId
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case app
        case environment
        case how
        case deploymentId = "deployment_id"
    }
}

/// A dry-run reconcile: what it would have done. Nothing else is written.
public struct ReconcilePlanned: EventPayload, Equatable {
    public static let eventType = "ReconcilePlanned"
    /// One line per service it would deploy back (or could not).
    public var plan: [String]
    public init(plan: [String]) {
        self.plan = plan
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case plan
    }
}

/// An actor was refused an action.
public struct AccessDenied: EventPayload, Equatable {
    public static let eventType = "AccessDenied"
    public var action: String
    public var app: String?
    public var environment: String?
    public var reason: String
    public init(action: String, app: String? = nil, environment: String? = nil, reason: String) {
        self.action = action
        self.app = app
        self.environment = environment
        self.reason = reason
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case action
        case app
        case environment
        case reason
    }
}

/// An API token was created (only its hash is kept).
public struct TokenIssued: EventPayload, Equatable {
    public static let eventType = "TokenIssued"
    public var tokenId: String
    public var name: String
    public var role: String
    public var hash: String
    /// When the token stops working (UTC, as `recorded_at` is written); nil for a token that does not expire.
    public var expiresAt: String?
    public init(tokenId: String, name: String, role: String, hash: String, expiresAt: String? = nil) {
        self.tokenId = tokenId
        self.name = name
        self.role = role
        self.hash = hash
        self.expiresAt = expiresAt
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case tokenId = "token_id"
        case name
        case role
        case hash
        case expiresAt = "expires_at"
    }
}

/// An API token was revoked.
public struct TokenRevoked: EventPayload, Equatable {
    public static let eventType = "TokenRevoked"
    public var tokenId: String
    public init(tokenId: String) {
        self.tokenId = tokenId
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case tokenId = "token_id"
    }
}

// MARK: - Reported by GitHub (webhooks; streams `github-run-<repo>-<run id>`, `github-deployment-<repo>-<id>`)

/// GitHub reported a workflow run: requested, in progress, or completed with its conclusion.
///
/// One event per delivery, so a run's stream shows its progress; a re-run keeps the run id and
/// counts up `run_attempt`. The metadata's actor is who started this attempt
/// (`workflow_run.triggering_actor`); the run's page is the `source`, the head commit the `commit`.
public struct WorkflowRunReported: EventPayload, Equatable {
    public static let eventType = "WorkflowRunReported"
    /// `owner/name`.
    public var repository: String
    public var runId: Int64
    public var runAttempt: Int?
    /// The workflow's name (`Build`, `Deploy to staging`).
    public var name: String?
    /// `requested`, `in_progress`, `completed`, ...
    public var status: String?
    /// Set once completed: `success`, `failure`, `cancelled`, `timed_out`, ...
    public var conclusion: String?
    public var headBranch: String?
    /// What started the run: `push`, `release`, `workflow_dispatch`, `schedule`, ...
    public var event: String
    /// Whose run it first was (`workflow_run.actor`), when someone else started this attempt (a re-run).
    public var originalActor: String?
    public init(
        repository: String, runId: Int64, runAttempt: Int? = nil, name: String? = nil, status: String? = nil,
        conclusion: String? = nil, headBranch: String? = nil, event: String, originalActor: String? = nil
    ) {
        self.repository = repository
        self.runId = runId
        self.runAttempt = runAttempt
        self.name = name
        self.status = status
        self.conclusion = conclusion
        self.headBranch = headBranch
        self.event = event
        self.originalActor = originalActor
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case repository
        case runId = "run_id"
        case runAttempt = "run_attempt"
        case name
        case status
        case conclusion
        case headBranch = "head_branch"
        case event
        case originalActor = "original_actor"
    }
}

/// Someone (or a workflow) created a GitHub deployment: a request to deploy `ref` at `sha` to
/// one of the repository's GitHub environments, which need not be named like shiplog's.
public struct GitHubDeploymentCreated: EventPayload, Equatable {
    public static let eventType = "GitHubDeploymentCreated"
    public var repository: String
    public var deploymentId: Int64
    public var environment: String
    public var ref: String
    public var sha: String
    /// `deploy`, or a custom task such as `deploy:migrations`.
    public var task: String
    public init(repository: String, deploymentId: Int64, environment: String, ref: String, sha: String, task: String) {
        self.repository = repository
        self.deploymentId = deploymentId
        self.environment = environment
        self.ref = ref
        self.sha = sha
        self.task = task
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case repository
        case deploymentId = "deployment_id"
        case environment
        case ref
        case sha
        case task
    }
}

/// A GitHub deployment moved to a new state; it shares the stream of its ``GitHubDeploymentCreated``.
public struct GitHubDeploymentStatusReported: EventPayload, Equatable {
    public static let eventType = "GitHubDeploymentStatusReported"
    public var repository: String
    public var deploymentId: Int64
    /// `queued`, `in_progress`, `success`, `failure`, `error`, `inactive`, ...
    public var state: String
    public var environment: String
    /// Where the deployed thing can be seen (GitHub's `target_url`, often the site itself).
    public var targetUrl: String?
    /// The deployment's output (GitHub's `log_url`).
    public var logUrl: String?
    public var description: String?
    public init(
        repository: String, deploymentId: Int64, state: String, environment: String, targetUrl: String? = nil,
        logUrl: String? = nil, description: String? = nil
    ) {
        self.repository = repository
        self.deploymentId = deploymentId
        self.state = state
        self.environment = environment
        self.targetUrl = targetUrl
        self.logUrl = logUrl
        self.description = description
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case repository
        case deploymentId = "deployment_id"
        case state
        case environment
        case targetUrl = "target_url"
        case logUrl = "log_url"
        case description
    }
}

// MARK: - Notifications (stream: `notification-<delivery id>`, one per event and sink)

/// A notification of an event reached a sink, which answered 2xx.
public struct NotificationDelivered: EventPayload, Equatable {
    public static let eventType = "NotificationDelivered"
    /// Stable per (event, sink): what the receiver deduplicates by.
    public var deliveryId: String
    public var sink: String
    /// The event notified of.
    public var eventId: String
    public var eventPosition: Int64
    /// The type of the event notified of.
    public var notifiedType: String
    /// The receiver's HTTP status.
    public var status: Int
    /// Which attempt it was, from 1; the attempts before it are recorded as ``NotificationFailed``.
    public var attempt: Int

    public init(deliveryId: String, sink: String, eventId: String, eventPosition: Int64, notifiedType: String, status: Int, attempt: Int) {
        self.deliveryId = deliveryId
        self.sink = sink
        self.eventId = eventId
        self.eventPosition = eventPosition
        self.notifiedType = notifiedType
        self.status = status
        self.attempt = attempt
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case deliveryId = "delivery_id"
        case sink
        case eventId = "event_id"
        case eventPosition = "event_position"
        case notifiedType = "event_type"
        case status
        case attempt
    }
}

/// An attempt to notify a sink of an event failed: the receiver answered other than 2xx, or
/// never answered. `gave_up` marks the last attempt, after which the notification is not retried.
public struct NotificationFailed: EventPayload, Equatable {
    public static let eventType = "NotificationFailed"
    public var deliveryId: String
    public var sink: String
    public var eventId: String
    public var eventPosition: Int64
    /// The type of the event notified of.
    public var notifiedType: String
    /// The receiver's HTTP status; nil when there was no answer (refused, timed out, not sent).
    public var status: Int?
    public var reason: String
    public var attempt: Int
    public var gaveUp: Bool

    public init(
        deliveryId: String, sink: String, eventId: String, eventPosition: Int64, notifiedType: String, status: Int?, reason: String,
        attempt: Int, gaveUp: Bool
    ) {
        self.deliveryId = deliveryId
        self.sink = sink
        self.eventId = eventId
        self.eventPosition = eventPosition
        self.notifiedType = notifiedType
        self.status = status
        self.reason = reason
        self.attempt = attempt
        self.gaveUp = gaveUp
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case deliveryId = "delivery_id"
        case sink
        case eventId = "event_id"
        case eventPosition = "event_position"
        case notifiedType = "event_type"
        case status
        case reason
        case attempt
        case gaveUp = "gave_up"
    }
}

// MARK: - Verification (stream: `verification-<app>-<environment>`)

/// How a verification suite ended.
public enum VerificationOutcome: String, Codable, Sendable, CaseIterable {
    case passed, failed
}

/// A verification suite (an end-to-end test run, say) ran against `tag` of `app` in `environment`.
///
/// Promotion gates read the newest result per suite and tag, so a later failure takes back an
/// earlier pass. Written through the typed paths, which check the app and environment against the
/// configuration, rather than `POST /api/v1/events`.
public struct VerificationRecorded: EventPayload, Equatable {
    public static let eventType = "VerificationRecorded"
    public var app: String
    public var environment: String
    public var tag: String
    /// The suite (`e2e`): what gates name.
    public var name: String
    public var outcome: VerificationOutcome
    /// The run's page.
    public var url: String?
    /// The CI system's id of the run (GitHub's run id).
    public var runId: String?
    /// The commit the suite ran at.
    public var commit: String?
    public init(
        app: String, environment: String, tag: String, name: String, outcome: VerificationOutcome, url: String? = nil,
        runId: String? = nil, commit: String? = nil
    ) {
        self.app = app
        self.environment = environment
        self.tag = tag
        self.name = name
        self.outcome = outcome
        self.url = url
        self.runId = runId
        self.commit = commit
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case app
        case environment
        case tag
        case name
        case outcome
        case url
        case runId = "run_id"
        case commit
    }

    /// The stream an app's results in one environment go to.
    public static func stream(app: String, environment: String) -> String {
        "verification-\(app)-\(environment)"
    }
}
