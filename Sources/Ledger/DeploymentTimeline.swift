import Foundation

/// A deployment's stream read as a timeline, one line an event in the order they were recorded:
/// shiplog's steps, what ECS reported during the rollout (with ECS's own time), the tasks that
/// stopped (with their reasons and exit codes), and the outcome.
///
/// The lines keep the log's order rather than sorting by time: ECS's clock and the ledger's are
/// different clocks (under the simulated ECS, virtual time and the wall clock).
public struct DeploymentTimeline: Sendable {
    /// One event of the timeline.
    public struct Entry: Sendable, Encodable, Equatable {
        public var position: Int64
        public var version: Int64
        public var recordedAt: String
        public var type: String
        /// When ECS says it happened, for what ECS reported.
        public var ecsTime: String?
        /// The person who counts, or `unknown`.
        public var actor: String
        /// The event in one line.
        public var summary: String
    }

    public var entries: [Entry]
    /// The service events ECS wrote during the rollout, in the order they were recorded.
    public var serviceEvents: [ServiceEventReported]
    public var stoppedTasks: [TaskStopped]

    public init(events: [RecordedEvent]) {
        serviceEvents = events.filter { $0.type == ServiceEventReported.eventType }.compactMap { try? ServiceEventReported.decode(from: $0.data) }
        stoppedTasks = events.filter { $0.type == TaskStopped.eventType }.compactMap { try? TaskStopped.decode(from: $0.data) }
        entries = events.map { event in
            Entry(
                position: event.position, version: event.version, recordedAt: event.recordedAt, type: event.type,
                ecsTime: Self.ecsTime(of: event), actor: event.decodedMetadata().effectiveActor ?? "unknown", summary: Self.summary(of: event))
        }
    }

    static func ecsTime(of event: RecordedEvent) -> String? {
        switch event.type {
        case ServiceEventReported.eventType: (try? ServiceEventReported.decode(from: event.data))?.createdAt
        case TaskStopped.eventType: (try? TaskStopped.decode(from: event.data))?.stoppedAt
        default: nil
        }
    }

    /// The event in one line: ECS's message, a stopped task's reason and containers, a failure's
    /// stage and reason, else its data as `name=value` pairs.
    public static func summary(of event: RecordedEvent) -> String {
        switch event.type {
        case ServiceEventReported.eventType:
            if let reported = try? ServiceEventReported.decode(from: event.data) { return reported.message }
        case TaskStopped.eventType:
            if let task = try? TaskStopped.decode(from: event.data) {
                let code = task.stopCode.map { " [\($0)]" } ?? ""
                return "task \(task.taskId): \(task.stoppedReason ?? "stopped")\(code); \(task.containerSummary)"
            }
        case DeploymentFailed.eventType:
            if let failed = try? DeploymentFailed.decode(from: event.data) { return "\(failed.stage): \(failed.reason)" }
        default:
            break
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else { return event.data }
        return object.keys.sorted().map { "\($0)=\(Self.text(object[$0]))" }.joined(separator: " ")
    }

    private static func text(_ value: Any?) -> String {
        switch value {
        case let text as String: text
        case let list as [Any]: list.map { text($0) }.joined(separator: ",")
        case let object as [String: Any]: "{" + object.keys.sorted().map { "\($0)=\(text(object[$0]))" }.joined(separator: " ") + "}"
        case let number as NSNumber: number.stringValue
        case nil, is NSNull: "none"
        default: "\(value ?? "")"
        }
    }
}
