// What ECS said while it rolled a deployment out (stream: `deployment-<id>`), recorded by the
// workflow engine as it follows the rollout: ECS keeps only a service's 100 latest events and a
// stopped task for about an hour, the ledger keeps them for good.

/// A line of the service's event log that ECS wrote during our rollout, such as
/// "(service staging-api) has started 1 tasks: (task 0f3a...)." Recorded once per ECS event id.
public struct ServiceEventReported: EventPayload, Equatable {
    public static let eventType = "ServiceEventReported"
    /// ECS's id of the event: the key it is recorded once by.
    public var ecsEventId: String
    /// When ECS wrote it, by ECS's clock (ISO 8601, UTC); simulated time under the simulated ECS.
    public var createdAt: String
    public var message: String
    /// The ECS deployment (`ecs-svc/...`) the engine was following.
    public var ecsDeploymentId: String?

    public init(ecsEventId: String, createdAt: String, message: String, ecsDeploymentId: String? = nil) {
        self.ecsEventId = ecsEventId
        self.createdAt = createdAt
        self.message = message
        self.ecsDeploymentId = ecsDeploymentId
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case ecsEventId = "ecs_event_id"
        case createdAt = "created_at"
        case message
        case ecsDeploymentId = "ecs_deployment_id"
    }
}

/// A task of the deployment's revision that stopped, as DescribeTasks reported it once the
/// deployment failed, rolled back or timed out: why ECS stopped it and how each container ended.
public struct TaskStopped: EventPayload, Equatable {
    public static let eventType = "TaskStopped"

    /// One container of the stopped task.
    public struct Container: Codable, Sendable, Equatable {
        public var name: String
        /// The process's exit code; nil when it never ran (the image could not be pulled).
        public var exitCode: Int?
        /// ECS's reason for the container, such as `CannotPullContainerError: ...`.
        public var reason: String?

        public init(name: String, exitCode: Int? = nil, reason: String? = nil) {
            self.name = name
            self.exitCode = exitCode
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case name
            case exitCode = "exit_code"
            case reason
        }
    }

    public var taskArn: String
    public var taskDefinitionArn: String
    /// The ECS deployment that started the task (`ecs-svc/...`).
    public var startedBy: String?
    /// `TaskFailedToStart`, `EssentialContainerExited`, `ServiceSchedulerInitiated`, ...
    public var stopCode: String?
    /// Such as "Essential container in task exited".
    public var stoppedReason: String?
    /// By ECS's clock (ISO 8601, UTC).
    public var stoppedAt: String?
    public var containers: [Container]

    public init(
        taskArn: String, taskDefinitionArn: String, startedBy: String? = nil, stopCode: String? = nil, stoppedReason: String? = nil,
        stoppedAt: String? = nil, containers: [Container]
    ) {
        self.taskArn = taskArn
        self.taskDefinitionArn = taskDefinitionArn
        self.startedBy = startedBy
        self.stopCode = stopCode
        self.stoppedReason = stoppedReason
        self.stoppedAt = stoppedAt
        self.containers = containers
    }

    /// The task's id, the last part of its ARN.
    public var taskId: String {
        taskArn.split(separator: "/").last.map(String.init) ?? taskArn
    }

    /// How each container ended, one clause each: `django exited 1`, `nginx: CannotPullContainerError: ...`.
    public var containerSummary: String {
        containers.map { container in
            var text = container.name
            if let code = container.exitCode { text += " exited \(code)" }
            if let reason = container.reason, !reason.isEmpty { text += ": \(reason)" }
            if container.exitCode == nil, container.reason?.isEmpty ?? true { text += " did not run" }
            return text
        }.joined(separator: "; ")
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case taskArn = "task_arn"
        case taskDefinitionArn = "task_definition_arn"
        case startedBy = "started_by"
        case stopCode = "stop_code"
        case stoppedReason = "stopped_reason"
        case stoppedAt = "stopped_at"
        case containers
    }
}
