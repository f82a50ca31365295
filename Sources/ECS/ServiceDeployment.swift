import AWS
import Foundation

/// One deployment of a service.
public struct ServiceDeployment: Sendable, Equatable, Codable {
    /// PRIMARY, ACTIVE or INACTIVE.
    public struct Status: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let primary = Status(rawValue: "PRIMARY")
        public static let active = Status(rawValue: "ACTIVE")
        public static let inactive = Status(rawValue: "INACTIVE")
        public var description: String { rawValue }
    }

    /// IN_PROGRESS, COMPLETED or FAILED (set only for the rolling-update deployment controller).
    public struct RolloutState: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
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
