import AWS
import Foundation

/// An ECS service as DescribeServices reports it.
public struct ECSService: Sendable, Equatable {
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
    public var deployments: [ServiceDeployment]
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
        deployments: [ServiceDeployment],
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
    public var primaryDeployment: ServiceDeployment? {
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
            deployments: try (json["deployments"]?.arrayValue ?? []).map { try ServiceDeployment(json: $0, operation: operation) },
            events: (json["events"]?.arrayValue ?? []).compactMap(ServiceEvent.init(json:))
        )
    }
}
