/// The deployment history computed from events alone, without the database:
/// the same rows the `deployments` projection holds, for checking an export
/// offline against the events it carries.
///
/// It follows ``Projections`` rule for rule; a test holds the two together.
public struct DeploymentFold: Sendable {
    private var records: [String: DeploymentRecord] = [:]
    private var order: [String] = []

    public init() {}

    /// The deployments seen so far, in the order they were requested.
    public var deployments: [DeploymentRecord] { order.compactMap { records[$0] } }

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
                durationMs: nil, outcome: "in_progress", failureStage: nil, failureReason: nil, taskDefinitionArn: nil,
                rolledBackTo: nil, position: event.position)
            order.append(event.stream)
        case TaskDefinitionRegistered.eventType:
            let payload = try TaskDefinitionRegistered.decode(from: event.data)
            update(event) { $0.taskDefinitionArn = payload.taskDefinitionArn }
        case DeploymentStable.eventType:
            let payload = try DeploymentStable.decode(from: event.data)
            update(event) {
                $0.outcome = "succeeded"
                $0.taskDefinitionArn = payload.taskDefinitionArn
            }
        case DeploymentFailed.eventType:
            let payload = try DeploymentFailed.decode(from: event.data)
            update(event) { Self.finish(&$0, outcome: "failed", stage: payload.stage, reason: payload.reason) }
        case DeploymentTimedOut.eventType:
            let payload = try DeploymentTimedOut.decode(from: event.data)
            update(event) { Self.finish(&$0, outcome: "timed_out", stage: "stabilize", reason: "not stable after \(payload.timeoutSeconds) s") }
        case RolledBackAutomatically.eventType:
            let payload = try RolledBackAutomatically.decode(from: event.data)
            update(event) {
                $0.outcome = "rolled_back"
                $0.rolledBackTo = payload.taskDefinitionArn
            }
        default:
            break
        }
    }

    /// A deployment ECS already rolled back stays "rolled_back", as in the projection.
    private static func finish(_ record: inout DeploymentRecord, outcome: String, stage: String, reason: String) {
        record.outcome = record.rolledBackTo == nil ? outcome : "rolled_back"
        record.failureStage = stage
        record.failureReason = reason
    }

    /// Changes the deployment of `event`'s stream, if there is one, and records when it ended.
    private mutating func update(_ event: RecordedEvent, _ change: (inout DeploymentRecord) -> Void) {
        guard var record = records[event.stream] else { return }
        change(&record)
        if event.type != TaskDefinitionRegistered.eventType {
            record.endedAt = event.recordedAt
            record.durationMs = ExactTime.milliseconds(from: record.startedAt, to: event.recordedAt)
        }
        records[event.stream] = record
    }
}

/// Exact arithmetic on the log's timestamps (`2026-11-27T06:07:51.123456Z`),
/// to the microsecond, without a date formatter's rounding.
public enum ExactTime {
    /// Microseconds since 1970 for a stored timestamp (or one without a fraction); `nil` when malformed.
    public static func microseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard bytes[index] >= 48, bytes[index] <= 57 else { return nil }
                value = value * 10 + Int64(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var fraction: Int64 = 0
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count - 21 <= 6, let digits = number(20..<(bytes.count - 1)) else { return nil }
            fraction = digits
            for _ in 0..<(6 - (bytes.count - 21)) { fraction *= 10 }
        }
        // Howard Hinnant's days-from-civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000) + fraction
    }

    /// Whole milliseconds from `start` to `end`, rounded half away from zero.
    public static func milliseconds(from start: String, to end: String) -> Int64? {
        guard let start = microseconds(start), let end = microseconds(end) else { return nil }
        let difference = end - start
        return difference >= 0 ? (difference + 500) / 1000 : (difference - 500) / 1000
    }
}
