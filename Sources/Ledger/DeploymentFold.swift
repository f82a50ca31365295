/// The deployment history computed from events alone, without the database:
/// the same rows the `deployments` projection holds, for checking an export
/// offline against the events it carries.
///
/// It follows ``Projections`` rule for rule; a test holds the two together.
public struct DeploymentFold: Sendable {
    private var records: [String: DeploymentRecord] = [:]
    private var order: [String] = []

    public init() {}

    /// - Parameter expected: about how many deployments the events will make (an export's row
    ///   count): room for them up front, so the table never doubles — and is briefly held twice —
    ///   near the end of a walk over 100k of them.
    public init(expected: Int) {
        records.reserveCapacity(max(0, expected))
        order.reserveCapacity(max(0, expected))
    }

    /// The deployments seen so far, in the order they were requested.
    public var deployments: [DeploymentRecord] { order.compactMap { records[$0] } }

    /// Calls `body` with each deployment seen so far, in the order they were requested, without
    /// copying them (an audit of 100k deployments compares them one at a time).
    public func forEachDeployment(_ body: (DeploymentRecord) throws -> Void) rethrows {
        for id in order {
            if let record = records[id] { try body(record) }
        }
    }

    /// Applies one event; events of other types are ignored.
    ///
    /// - Throws: ``LedgerError`` when a deployment event's data does not decode.
    public mutating func apply(_ event: RecordedEvent) throws {
        switch event.type {
        case DeploymentRequested.eventType:
            let payload = try DeploymentRequested.decode(from: event.data)
            guard records[event.stream] == nil else { return }
            let metadata = event.decodedMetadata()
            records[event.stream] = DeploymentRecord(
                id: event.stream, app: payload.app, environment: payload.environment, tag: payload.tag,
                trigger: payload.trigger.rawValue, actor: metadata.effectiveActor, via: metadata.via, source: metadata.source,
                commit: metadata.commit, committedAt: metadata.committedAt, startedAt: event.recordedAt, endedAt: nil,
                durationMs: nil, outcome: .inProgress, failureStage: nil, failureReason: nil, taskDefinitionArn: nil,
                rolledBackTo: nil, position: event.position)
            order.append(event.stream)
        case TaskDefinitionRegistered.eventType:
            let payload = try TaskDefinitionRegistered.decode(from: event.data)
            update(event) { $0.taskDefinitionArn = payload.taskDefinitionArn }
        case DeploymentStable.eventType:
            let payload = try DeploymentStable.decode(from: event.data)
            update(event, durationMs: payload.durationMs) {
                $0.outcome = .succeeded
                $0.taskDefinitionArn = payload.taskDefinitionArn
            }
        case DeploymentFailed.eventType:
            let payload = try DeploymentFailed.decode(from: event.data)
            update(event, durationMs: payload.durationMs) { Self.finish(&$0, outcome: .failed, stage: payload.stage, reason: payload.reason) }
        case DeploymentTimedOut.eventType:
            let payload = try DeploymentTimedOut.decode(from: event.data)
            update(event, durationMs: payload.durationMs) { Self.finish(&$0, outcome: .timedOut, stage: "stabilize", reason: "not stable after \(payload.timeoutSeconds) s") }
        case RolledBackAutomatically.eventType:
            let payload = try RolledBackAutomatically.decode(from: event.data)
            update(event) {
                $0.outcome = .rolledBack
                $0.rolledBackTo = payload.taskDefinitionArn
            }
        default:
            break
        }
    }

    /// A deployment ECS already rolled back stays "rolled_back", as in the projection.
    private static func finish(_ record: inout DeploymentRecord, outcome: DeploymentOutcome, stage: String, reason: String) {
        record.outcome = record.rolledBackTo == nil ? outcome : .rolledBack
        record.failureStage = stage
        record.failureReason = reason
    }

    /// Changes the deployment of `event`'s stream, if there is one, and records when it ended and
    /// how long it took (`durationMs`, as the engine measured it, else from the recorded times).
    private mutating func update(_ event: RecordedEvent, durationMs: Int64? = nil, _ change: (inout DeploymentRecord) -> Void) {
        guard var record = records[event.stream] else { return }
        change(&record)
        if event.type != TaskDefinitionRegistered.eventType {
            record.endedAt = event.recordedAt
            record.durationMs = durationMs ?? ExactTime.milliseconds(from: record.startedAt, to: event.recordedAt)
        }
        records[event.stream] = record
    }
}
