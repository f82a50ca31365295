import AWS
import Foundation

/// An ECS service as DescribeServices reports it.
public struct Service: Sendable, Equatable {
    public var name: String
    public var arn: String
    public var clusterArn: String
    /// `ACTIVE`, `DRAINING` or `INACTIVE`.
    public var status: String
    /// The task definition ARN of the PRIMARY deployment.
    public var taskDefinition: String
    public var desiredCount: Int
    public var runningCount: Int
    public var pendingCount: Int
    /// Newest first, as ECS lists them: the PRIMARY deployment, then any ACTIVE ones still draining.
    public var deployments: [Deployment]
    /// Newest first, as ECS lists them (ECS keeps the latest 100).
    public var events: [ServiceEvent]

    public init(
        name: String,
        arn: String,
        clusterArn: String,
        status: String,
        taskDefinition: String,
        desiredCount: Int,
        runningCount: Int,
        pendingCount: Int,
        deployments: [Deployment],
        events: [ServiceEvent]
    ) {
        self.name = name
        self.arn = arn
        self.clusterArn = clusterArn
        self.status = status
        self.taskDefinition = taskDefinition
        self.desiredCount = desiredCount
        self.runningCount = runningCount
        self.pendingCount = pendingCount
        self.deployments = deployments
        self.events = events
    }

    /// The deployment ECS is driving the service towards.
    public var primaryDeployment: Deployment? {
        deployments.first { $0.status == .primary }
    }

    /// Stable as `aws ecs wait services-stable` means it: one deployment, running = desired,
    /// and (when ECS reports it) the rollout completed.
    public var isStable: Bool {
        guard deployments.count == 1, let primary = primaryDeployment else { return false }
        return primary.rolloutState != .inProgress && primary.rolloutState != .failed
            && runningCount == desiredCount && primary.runningCount == primary.desiredCount
    }

    init(json: JSONValue, operation: String) throws {
        self.init(
            name: try json.requiredString("serviceName", in: operation),
            arn: try json.requiredString("serviceArn", in: operation),
            clusterArn: json["clusterArn"]?.stringValue ?? "",
            status: json["status"]?.stringValue ?? "",
            taskDefinition: json["taskDefinition"]?.stringValue ?? "",
            desiredCount: json["desiredCount"]?.intValue ?? 0,
            runningCount: json["runningCount"]?.intValue ?? 0,
            pendingCount: json["pendingCount"]?.intValue ?? 0,
            deployments: try (json["deployments"]?.arrayValue ?? []).map { try Deployment(json: $0, operation: operation) },
            events: (json["events"]?.arrayValue ?? []).compactMap(ServiceEvent.init(json:))
        )
    }
}

/// One deployment of a service.
public struct Deployment: Sendable, Equatable {
    /// PRIMARY, ACTIVE or INACTIVE.
    public struct Status: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let primary = Status(rawValue: "PRIMARY")
        public static let active = Status(rawValue: "ACTIVE")
        public static let inactive = Status(rawValue: "INACTIVE")
        public var description: String { rawValue }
    }

    /// IN_PROGRESS, COMPLETED or FAILED (set only for the rolling-update deployment controller).
    public struct RolloutState: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let inProgress = RolloutState(rawValue: "IN_PROGRESS")
        public static let completed = RolloutState(rawValue: "COMPLETED")
        public static let failed = RolloutState(rawValue: "FAILED")
        public var description: String { rawValue }
    }

    /// `ecs-svc/<19 digits>`.
    public var id: String
    public var status: Status
    public var taskDefinition: String
    public var desiredCount: Int
    public var runningCount: Int
    public var pendingCount: Int
    public var failedTasks: Int
    public var rolloutState: RolloutState?
    public var rolloutStateReason: String?
    public var createdAt: Date?
    public var updatedAt: Date?

    public init(
        id: String,
        status: Status,
        taskDefinition: String,
        desiredCount: Int,
        runningCount: Int,
        pendingCount: Int = 0,
        failedTasks: Int = 0,
        rolloutState: RolloutState? = nil,
        rolloutStateReason: String? = nil,
        createdAt: Date? = nil,
        updatedAt: Date? = nil
    ) {
        self.id = id
        self.status = status
        self.taskDefinition = taskDefinition
        self.desiredCount = desiredCount
        self.runningCount = runningCount
        self.pendingCount = pendingCount
        self.failedTasks = failedTasks
        self.rolloutState = rolloutState
        self.rolloutStateReason = rolloutStateReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    init(json: JSONValue, operation: String) throws {
        self.init(
            id: try json.requiredString("id", in: operation),
            status: Status(rawValue: json["status"]?.stringValue ?? ""),
            taskDefinition: json["taskDefinition"]?.stringValue ?? "",
            desiredCount: json["desiredCount"]?.intValue ?? 0,
            runningCount: json["runningCount"]?.intValue ?? 0,
            pendingCount: json["pendingCount"]?.intValue ?? 0,
            failedTasks: json["failedTasks"]?.intValue ?? 0,
            rolloutState: json["rolloutState"]?.stringValue.map(RolloutState.init(rawValue:)),
            rolloutStateReason: json["rolloutStateReason"]?.stringValue,
            createdAt: json["createdAt"]?.dateValue,
            updatedAt: json["updatedAt"]?.dateValue
        )
    }
}

/// A line of a service's event log, such as "(service staging-api) has reached a steady state."
public struct ServiceEvent: Sendable, Hashable {
    public var id: String
    public var createdAt: Date
    public var message: String

    public init(id: String, createdAt: Date, message: String) {
        self.id = id
        self.createdAt = createdAt
        self.message = message
    }

    init?(json: JSONValue) {
        guard let message = json["message"]?.stringValue else { return nil }
        self.init(
            id: json["id"]?.stringValue ?? "",
            createdAt: json["createdAt"]?.dateValue ?? Date(timeIntervalSince1970: 0),
            message: message
        )
    }
}

/// An ECS cluster.
public struct Cluster: Sendable, Hashable {
    public var name: String
    public var arn: String
    public var status: String

    public init(name: String, arn: String, status: String) {
        self.name = name
        self.arn = arn
        self.status = status
    }
}

/// The answer of DescribeServices: the services found, and those ECS reported as failures.
public struct ServiceDescriptions: Sendable, Equatable {
    public var services: [Service]
    /// Services ECS could not describe, as (ARN or name, reason); the reason is `MISSING` for unknown services.
    public var failures: [ServiceFailure]

    public init(services: [Service], failures: [ServiceFailure]) {
        self.services = services
        self.failures = failures
    }
}

/// A service ECS could not describe.
public struct ServiceFailure: Sendable, Hashable {
    public var arn: String
    public var reason: String

    public init(arn: String, reason: String) {
        self.arn = arn
        self.reason = reason
    }
}
