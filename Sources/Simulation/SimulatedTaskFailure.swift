import ECS
import Foundation

/// How the tasks of a failing simulated deployment stop, worded as ECS words it.
public enum SimulatedTaskFailure: String, Sendable, Codable, CaseIterable {
    /// The first container's image cannot be pulled: `TaskFailedToStart`, no exit codes.
    case imagePull
    /// The first (essential) container starts and exits 1: `EssentialContainerExited`.
    case essentialContainerExit

    /// How many tasks the circuit breaker sees fail before it fails the deployment (its
    /// threshold for a small service: at least 3).
    static let attempts = 3

    /// A task of `definition` that stopped this way.
    func stoppedTask(
        id: String, cluster: String, region: String, accountID: String, definition: TaskDefinition, startedBy: String, service: String,
        createdAt: Date, stoppedAt: Date
    ) -> ECSTask {
        let taskArn = "arn:aws:ecs:\(region):\(accountID):task/\(cluster)/\(id)"
        let first = definition.containerDefinitions.first?.image ?? ""
        let containers = definition.containerDefinitions.enumerated().map { index, container in
            switch self {
            case .imagePull:
                ECSTask.Container(name: container.name, image: container.image, lastStatus: "STOPPED",
                                  reason: index == 0 ? Self.pullError(first) : nil)
            case .essentialContainerExit:
                // The essential container exits; ECS stops the others, which exit cleanly.
                ECSTask.Container(name: container.name, image: container.image, lastStatus: "STOPPED", exitCode: index == 0 ? 1 : 0)
            }
        }
        return ECSTask(
            taskArn: taskArn, taskDefinitionArn: definition.arn ?? "", lastStatus: "STOPPED", desiredStatus: "STOPPED", startedBy: startedBy,
            group: "service:\(service)", stopCode: self == .imagePull ? "TaskFailedToStart" : "EssentialContainerExited",
            stoppedReason: self == .imagePull ? Self.pullError(first) : "Essential container in task exited",
            createdAt: createdAt, startedAt: self == .imagePull ? nil : createdAt.addingTimeInterval(5), stoppedAt: stoppedAt,
            containers: containers)
    }

    /// Fargate's wording for an image reference the registry does not resolve.
    static func pullError(_ image: String) -> String {
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref \(image): \(image): not found"
    }
}
