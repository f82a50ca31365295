/// What runs (and should run) for one app in one environment.
public struct EnvironmentState: Sendable, Equatable, Codable {
    public var app: String
    public var environment: String
    public var taskDefinitionArn: String?
    public var revision: Int?
    public var tag: String?
    public var images: String?
    public var lastHealthyArn: String?
    public var lastHealthyRevision: Int?
    public var deploymentInProgress: String?
    public var deployedBy: String?
    public var deployedAt: String?
    public var lastOutcome: DeploymentOutcome?
    public var updatedPosition: Int64
    /// What differs between the ledger and ECS, while it does (from the reconciler).
    public var drift: String?
}

/// One deployment attempt, from request to outcome.
public struct DeploymentRecord: Sendable, Equatable, Codable {
    public var id: String
    public var app: String
    public var environment: String
    public var tag: String
    public var trigger: String
    public var actor: String?
    /// The bot that acted for `actor`, if one did.
    public var via: String?
    public var source: String?
    public var commit: String?
    /// When the commit was made, from the request's metadata.
    public var committedAt: String?
    public var startedAt: String
    public var endedAt: String?
    public var durationMs: Int64?
    public var outcome: DeploymentOutcome
    public var failureStage: String?
    public var failureReason: String?
    public var taskDefinitionArn: String?
    public var rolledBackTo: String?
    public var position: Int64

    public init(
        id: String, app: String, environment: String, tag: String, trigger: String, actor: String? = nil, via: String? = nil,
        source: String? = nil, commit: String? = nil, committedAt: String? = nil, startedAt: String, endedAt: String? = nil,
        durationMs: Int64? = nil, outcome: DeploymentOutcome, failureStage: String? = nil, failureReason: String? = nil,
        taskDefinitionArn: String? = nil, rolledBackTo: String? = nil, position: Int64
    ) {
        self.id = id
        self.app = app
        self.environment = environment
        self.tag = tag
        self.trigger = trigger
        self.actor = actor
        self.via = via
        self.source = source
        self.commit = commit
        self.committedAt = committedAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.durationMs = durationMs
        self.outcome = outcome
        self.failureStage = failureStage
        self.failureReason = failureReason
        self.taskDefinitionArn = taskDefinitionArn
        self.rolledBackTo = rolledBackTo
        self.position = position
    }
}

/// One action by an actor, refusals included.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var position: Int64
    public var recordedAt: String
    public var actor: String?
    public var via: String?
    public var action: String
    public var app: String?
    public var environment: String?
    public var target: String?
    public var outcome: AuditOutcome
    public var detail: String?
}

/// Filters for the deployment history; `nil` means any.
public struct DeploymentFilter: Sendable, Equatable {
    /// One deployment, by its id (`deployment-<uuid>`).
    public var id: String?
    public var app: String?
    public var environment: String?
    public var actor: String?
    public var outcome: DeploymentOutcome?
    /// ISO 8601 lower bound on the start time (inclusive).
    public var since: String?
    /// ISO 8601 upper bound on the start time (exclusive).
    public var until: String?
    /// Only deployments recorded before this position (for paging back).
    public var before: Int64?
    public var limit: Int

    public init(id: String? = nil, app: String? = nil, environment: String? = nil, actor: String? = nil, outcome: DeploymentOutcome? = nil,
                since: String? = nil, until: String? = nil, before: Int64? = nil, limit: Int = 50) {
        self.id = id
        self.app = app
        self.environment = environment
        self.actor = actor
        self.outcome = outcome
        self.since = since
        self.until = until
        self.before = before
        self.limit = limit
    }
}

/// Filters for the audit trail; `nil` means any.
public struct AuditFilter: Sendable, Equatable {
    public var actor: String?
    public var action: String?
    public var outcome: AuditOutcome?
    public var since: String?
    public var until: String?
    /// Only entries recorded before this position (for paging back).
    public var before: Int64?
    public var limit: Int

    public init(actor: String? = nil, action: String? = nil, outcome: AuditOutcome? = nil, since: String? = nil, until: String? = nil,
                before: Int64? = nil, limit: Int = 100) {
        self.before = before
        self.actor = actor
        self.action = action
        self.outcome = outcome
        self.since = since
        self.until = until
        self.limit = limit
    }
}
