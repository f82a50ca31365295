import AWS
import Foundation

/// A task as DescribeTasks reports it: what shiplog records of a task that stopped.
public struct ECSTask: Sendable, Equatable, Codable {
    /// One container of the task, with why it stopped.
    public struct Container: Sendable, Equatable, Codable {
        public var name: String
        public var image: String?
        public var lastStatus: String?
        /// The process's exit code; nil when the container never ran (its image could not be pulled).
        public var exitCode: Int?
        /// ECS's reason for the container, such as `CannotPullContainerError: ...`.
        public var reason: String?

        public init(name: String, image: String? = nil, lastStatus: String? = nil, exitCode: Int? = nil, reason: String? = nil) {
            self.name = name
            self.image = image
            self.lastStatus = lastStatus
            self.exitCode = exitCode
            self.reason = reason
        }

        init(json: JSONValue) {
            self.init(
                name: json["name"]?.stringValue ?? "",
                image: json["image"]?.stringValue,
                lastStatus: json["lastStatus"]?.stringValue,
                exitCode: json["exitCode"]?.intValue,
                reason: json["reason"]?.stringValue
            )
        }
    }

    public var taskArn: String
    public var taskDefinitionArn: String
    /// `PROVISIONING`, `PENDING`, `RUNNING`, `STOPPED`, ...
    public var lastStatus: String
    public var desiredStatus: String
    /// For a service's task, the ECS deployment that started it (`ecs-svc/...`).
    public var startedBy: String?
    /// `service:<name>` for a service's task.
    public var group: String?
    /// `TaskFailedToStart`, `EssentialContainerExited`, `UserInitiated`, `ServiceSchedulerInitiated`, ...
    public var stopCode: String?
    /// Such as "Essential container in task exited" or "CannotPullContainerError: ...".
    public var stoppedReason: String?
    public var createdAt: Date?
    public var startedAt: Date?
    public var stoppedAt: Date?
    public var containers: [Container]

    public init(
        taskArn: String, taskDefinitionArn: String, lastStatus: String, desiredStatus: String, startedBy: String? = nil,
        group: String? = nil, stopCode: String? = nil, stoppedReason: String? = nil, createdAt: Date? = nil,
        startedAt: Date? = nil, stoppedAt: Date? = nil, containers: [Container]
    ) {
        self.taskArn = taskArn
        self.taskDefinitionArn = taskDefinitionArn
        self.lastStatus = lastStatus
        self.desiredStatus = desiredStatus
        self.startedBy = startedBy
        self.group = group
        self.stopCode = stopCode
        self.stoppedReason = stoppedReason
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.stoppedAt = stoppedAt
        self.containers = containers
    }

    init(json: JSONValue, operation: String) throws {
        self.init(
            taskArn: try json.requiredString("taskArn", in: operation),
            taskDefinitionArn: json["taskDefinitionArn"]?.stringValue ?? "",
            lastStatus: json["lastStatus"]?.stringValue ?? "",
            desiredStatus: json["desiredStatus"]?.stringValue ?? "",
            startedBy: json["startedBy"]?.stringValue,
            group: json["group"]?.stringValue,
            stopCode: json["stopCode"]?.stringValue,
            stoppedReason: json["stoppedReason"]?.stringValue,
            createdAt: json["createdAt"]?.dateValue,
            startedAt: json["startedAt"]?.dateValue,
            stoppedAt: json["stoppedAt"]?.dateValue,
            containers: (json["containers"]?.arrayValue ?? []).map(Container.init(json:))
        )
    }

    /// The last part of the ARN (`arn:aws:ecs:...:task/staging-default/0f3a...` -> `0f3a...`).
    public var taskId: String {
        taskArn.split(separator: "/").last.map(String.init) ?? taskArn
    }
}

/// What ListTasks is asked for: the tasks of a cluster, narrowed by who started them, the service,
/// the task definition family and the desired status (ECS accepts `startedBy` or `serviceName`
/// with the others, and keeps stopped tasks for about an hour).
public struct TaskQuery: Sendable, Equatable {
    /// `RUNNING`, `PENDING` or `STOPPED`.
    public struct DesiredStatus: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let running = DesiredStatus(rawValue: "RUNNING")
        public static let pending = DesiredStatus(rawValue: "PENDING")
        public static let stopped = DesiredStatus(rawValue: "STOPPED")
    }

    /// For a service's tasks, the ECS deployment id (`ecs-svc/...`).
    public var startedBy: String?
    public var serviceName: String?
    public var family: String?
    public var desiredStatus: DesiredStatus

    public init(startedBy: String? = nil, serviceName: String? = nil, family: String? = nil, desiredStatus: DesiredStatus = .running) {
        self.startedBy = startedBy
        self.serviceName = serviceName
        self.family = family
        self.desiredStatus = desiredStatus
    }
}

/// The most tasks one DescribeTasks call accepts.
public let describeTasksBatchLimit = 100
