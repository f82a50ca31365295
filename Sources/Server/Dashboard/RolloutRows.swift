import Ledger

/// A service event ECS wrote during the rollout, as the deployment page lists it.
/// Stored properties only: Mustache reads them by reflection.
struct RolloutEventRow: Sendable {
    /// ECS's time, ISO 8601, and its short form.
    let at: String
    let atText: String
    let message: String

    init(_ event: ServiceEventReported) {
        at = event.createdAt
        atText = DisplayText.time(event.createdAt)
        message = event.message
    }
}

/// A task of the deployment's revision that stopped, with why and how each container ended.
struct StoppedTaskRow: Sendable {
    struct Container: Sendable {
        let name: String
        /// The exit code, or `did not run`.
        let exit: String
        /// Named apart from the task's `reason`: Mustache would show the task's for a container without one.
        let containerReason: String?
    }

    let taskId: String
    let stoppedAt: String?
    let stoppedAtText: String?
    let stopCode: String?
    let reason: String
    let containers: [Container]

    init(_ task: TaskStopped) {
        taskId = task.taskId
        stoppedAt = task.stoppedAt
        stoppedAtText = DisplayText.time(task.stoppedAt)
        stopCode = task.stopCode
        reason = task.stoppedReason ?? "stopped"
        containers = task.containers.map {
            Container(name: $0.name, exit: $0.exitCode.map { "exit code \($0)" } ?? "did not run", containerReason: $0.reason)
        }
    }
}
