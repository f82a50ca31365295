import ECS
import Foundation
import Ledger

/// Records what ECS says during a rollout into the deployment's stream: the service events
/// written since our deployment was created, each once by ECS's event id, and, when the rollout
/// failed, the stopped tasks of our revision with their reasons and exit codes.
///
/// What is already recorded is read back from the stream, so a resumed deployment
/// (`deploy --resume`) never records an ECS event or a stopped task twice.
struct RolloutRecorder {
    let store: EventStore
    let ecs: any ECSClient
    let deploymentId: String
    let metadata: EventMetadata
    private var recordedEvents: Set<String> = []
    private var recordedTasks: Set<String> = []

    /// The most stopped tasks recorded for one deployment (the circuit breaker may stop hundreds).
    static let stoppedTaskLimit = 25

    init(store: EventStore, ecs: any ECSClient, deploymentId: String, metadata: EventMetadata) throws {
        self.store = store
        self.ecs = ecs
        self.deploymentId = deploymentId
        self.metadata = metadata
        for event in try store.events(EventFilter(stream: deploymentId)) {
            switch event.type {
            case ServiceEventReported.eventType: recordedEvents.insert(try ServiceEventReported.decode(from: event.data).ecsEventId)
            case TaskStopped.eventType: recordedTasks.insert(try TaskStopped.decode(from: event.data).taskArn)
            default: break
            }
        }
    }

    /// Records the service's events written at or after `since` (by ECS's clock: when our ECS
    /// deployment was created) that are not recorded yet, oldest first.
    /// - Returns: what was recorded, for the person watching.
    mutating func record(_ events: [ServiceEvent], since: Date, following ecsDeployment: String?) async throws -> [ServiceEventReported] {
        // ECS lists the newest first.
        let new = events.reversed().filter { !$0.id.isEmpty && $0.createdAt >= since && !recordedEvents.contains($0.id) }
        guard !new.isEmpty else { return [] }
        let payloads = new.map {
            ServiceEventReported(ecsEventId: $0.id, createdAt: Timestamp.string(from: $0.createdAt), message: $0.message, ecsDeploymentId: ecsDeployment)
        }
        _ = try await store.append(payloads.map { NewEvent(stream: deploymentId, $0, metadata: metadata) })
        recordedEvents.formUnion(new.map(\.id))
        return payloads
    }

    /// Records the stopped tasks of our rollout: those our ECS deployment started when its id is
    /// known, else those of the revision's family that ran `taskDefinitionArn`.
    /// - Returns: what was recorded.
    mutating func recordStoppedTasks(cluster: String, family: String, taskDefinitionArn: String, ecsDeployment: String?) async throws -> [TaskStopped] {
        let query = ecsDeployment.map { TaskQuery(startedBy: $0, desiredStatus: .stopped) } ?? TaskQuery(family: family, desiredStatus: .stopped)
        let arns = try await ecs.listTasks(cluster: cluster, query).filter { !recordedTasks.contains($0) }
        guard !arns.isEmpty else { return [] }
        let tasks = try await ecs.describeTasks(cluster: cluster, tasks: arns)
            .filter { $0.taskDefinitionArn == taskDefinitionArn && !recordedTasks.contains($0.taskArn) }
            .sorted { ($0.stoppedAt ?? .distantPast, $0.taskArn) < ($1.stoppedAt ?? .distantPast, $1.taskArn) }
            .suffix(Self.stoppedTaskLimit)
        guard !tasks.isEmpty else { return [] }
        let payloads = tasks.map { task in
            TaskStopped(
                taskArn: task.taskArn, taskDefinitionArn: task.taskDefinitionArn, startedBy: task.startedBy, stopCode: task.stopCode,
                stoppedReason: task.stoppedReason, stoppedAt: task.stoppedAt.map(Timestamp.string(from:)),
                containers: task.containers.map { TaskStopped.Container(name: $0.name, exitCode: $0.exitCode, reason: $0.reason) })
        }
        _ = try await store.append(payloads.map { NewEvent(stream: deploymentId, $0, metadata: metadata) })
        recordedTasks.formUnion(tasks.map(\.taskArn))
        return payloads
    }
}
