import Ledger

/// How a deployment ended, as the ledger recorded it.
public struct DeploymentResult: Sendable, Equatable {
    /// The deployment's stream (`deployment-api-staging-4`); for a queued deploy, the promotion it waits for.
    public var id: String
    public var app: String
    public var environment: String
    public var tag: String
    /// As the deployment history records it; `in_progress` when ECS was told and could not be
    /// followed (`DeploymentLeftOpen`), or when the deploy is queued.
    public var outcome: DeploymentOutcome
    /// A staging deploy waiting for the promotion `id` in flight (`PromotionQueued`): nothing ran yet.
    public var isQueued: Bool
    /// The step that failed: verify, render, register, update, stabilize, version.
    public var failureStage: String?
    public var reason: String?
    /// The task definition the service runs after a success.
    public var taskDefinitionArn: String?
    /// The revision ECS went back to after an automatic rollback.
    public var rolledBackTo: String?

    public init(
        id: String, app: String, environment: String, tag: String, outcome: DeploymentOutcome, isQueued: Bool = false,
        failureStage: String? = nil, reason: String? = nil, taskDefinitionArn: String? = nil, rolledBackTo: String? = nil
    ) {
        self.id = id
        self.app = app
        self.environment = environment
        self.tag = tag
        self.outcome = outcome
        self.isQueued = isQueued
        self.failureStage = failureStage
        self.reason = reason
        self.taskDefinitionArn = taskDefinitionArn
        self.rolledBackTo = rolledBackTo
    }

    /// Succeeded, or queued to run after a promotion.
    public var isSuccess: Bool { outcome == .succeeded || isQueued }

    /// One line for people: `deployment-api-staging-2 rolled back: ... (ECS went back to staging-api:1)`.
    public var summary: String {
        if isQueued {
            return "\(app) \(environment) \(tag) queued behind promotion \(id); it deploys when the promotion has finished"
        }
        switch outcome {
        case .succeeded:
            return "\(id) succeeded: \(app) \(environment) runs \(tag) on \(taskDefinitionArn.map(Self.shortName) ?? "?")"
        case .rolledBack:
            return "\(id) failed at \(failureStage ?? "stabilize"): \(reason ?? "") (ECS rolled back to \(rolledBackTo.map(Self.shortName) ?? "?"))"
        case .inProgress:
            return "\(id) left open at \(failureStage ?? "stabilize"): \(reason ?? ""); ECS was told and carries on: `shiplog deploy --resume \(id)` follows it to its end"
        case .failed, .timedOut:
            return "\(id) \(outcome == .timedOut ? "timed out" : "failed") at \(failureStage ?? "?"): \(reason ?? "")"
        }
    }

    /// `arn:aws:ecs:...:task-definition/staging-api:7` → `staging-api:7`.
    static func shortName(_ arn: String) -> String {
        arn.split(separator: "/").last.map(String.init) ?? arn
    }
}
