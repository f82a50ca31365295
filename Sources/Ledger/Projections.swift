import SQLite

/// The read models, kept up to date inside the append transaction and
/// rebuildable from the log: environment state, deployment history, audit.
///
/// Every function here runs on the writer connection, in a transaction.
enum Projections {
    /// The projections and the name each records its position under.
    static let names = ["environment_state", "deployments", "audit"]

    /// The event types any projection reacts to, from the ledger's one list of types; all
    /// others are skipped cheaply.
    static let relevantTypes: Set<String> = Set(EventTypes.all.compactMap { entry in
        entry.payload is any ProjectedPayload.Type ? entry.payload.eventType : nil
    })

    /// Where an event sits in the log and who wrote it: what a projection needs beside the payload.
    struct Input {
        var position: Int64
        var stream: String
        var metadata: Metadata
        var recordedAt: String

        /// The metadata as appended, or as stored: decoded only by the projections that read it.
        enum Metadata {
            case decoded(EventMetadata)
            case stored(String)
        }

        func decodedMetadata() throws -> EventMetadata {
            switch metadata {
            case .decoded(let metadata): metadata
            case .stored(let json): try EventMetadata.decode(from: json)
            }
        }
    }

    /// Applies one event's payload to the projections that read its type.
    static func apply(_ payload: any EventPayload, _ event: Input, _ db: Connection) throws {
        try (payload as? any ProjectedPayload)?.project(event, db)
    }

    /// Records that every projection has applied the log up to `position` (one statement for all).
    static func markApplied(upTo position: Int64, _ db: Connection) throws {
        try db.cachedStatement(markAppliedSQL).execute(position)
    }

    private static let markAppliedSQL = """
        INSERT INTO projection_positions (name, position) VALUES \(names.map { "('\($0)', ?1)" }.joined(separator: ", "))
        ON CONFLICT (name) DO UPDATE SET position = excluded.position
        """

    /// Empties every projection (before a rebuild).
    static func reset(_ db: Connection) throws {
        try db.execute("DELETE FROM environment_state; DELETE FROM deployments; DELETE FROM audit; DELETE FROM projection_positions;")
    }

    // MARK: Deployment lifecycle

    fileprivate static func requested(_ event: Input, _ payload: DeploymentRequested, _ db: Connection) throws {
        let metadata = try event.decodedMetadata()
        do {
            try db.cachedStatement("""
                INSERT INTO deployments (id, app, environment, tag, trigger, actor, via, source, commit_sha, committed_at,
                                         started_at, outcome, position)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'in_progress', ?)
                """).execute(
                    event.stream, payload.app, payload.environment, payload.tag, payload.trigger.rawValue,
                    metadata.effectiveActor, metadata.via, metadata.source, metadata.commit, metadata.committedAt,
                    event.recordedAt, event.position)
        } catch let error as SQLiteError where error.code.primary == .constraint {
            throw LedgerError.invalidEvent(
                "DeploymentRequested: stream '\(event.stream)' already holds a deployment; each attempt gets a stream of its own")
        }
        try db.cachedStatement("""
            INSERT INTO environment_state (app, environment, deployment_in_progress, updated_position) VALUES (?, ?, ?, ?)
            ON CONFLICT (app, environment) DO UPDATE SET
                deployment_in_progress = excluded.deployment_in_progress, updated_position = excluded.updated_position
            """).execute(payload.app, payload.environment, event.stream, event.position)
        // A rollback is audited once, by its RollbackRequested; the deploy it runs is not a second action.
        if payload.trigger != .rollback {
            try audit(event, action: "deploy", app: payload.app, environment: payload.environment, target: payload.tag,
                      detail: payload.trigger.rawValue, db)
        }
    }

    fileprivate static func stable(_ event: Input, _ payload: DeploymentStable, _ db: Connection) throws {
        guard let deployment = try deploymentContext(event.stream, db) else { return }
        try db.cachedStatement("""
            UPDATE deployments SET outcome = 'succeeded', ended_at = ?1, task_definition_arn = ?2,
                duration_ms = COALESCE(?4, CAST(round((julianday(?1) - julianday(started_at)) * 86400000) AS INTEGER))
            WHERE id = ?3
            """).execute(event.recordedAt, payload.taskDefinitionArn, event.stream, payload.durationMs)
        let revision = payload.revision ?? revisionNumber(in: payload.taskDefinitionArn)
        try db.cachedStatement("""
            INSERT INTO environment_state (app, environment, task_definition_arn, revision, tag, images,
                last_healthy_arn, last_healthy_revision, deployment_in_progress, deployed_by, deployed_at,
                last_outcome, updated_position)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?3, ?4, NULL, ?7, ?8, 'succeeded', ?9)
            ON CONFLICT (app, environment) DO UPDATE SET
                task_definition_arn = excluded.task_definition_arn, revision = excluded.revision,
                tag = excluded.tag, images = excluded.images,
                last_healthy_arn = excluded.last_healthy_arn, last_healthy_revision = excluded.last_healthy_revision,
                deployment_in_progress = NULL, deployed_by = excluded.deployed_by, deployed_at = excluded.deployed_at,
                last_outcome = 'succeeded', updated_position = excluded.updated_position
            """).execute(
                deployment.app, deployment.environment, payload.taskDefinitionArn, revision.map(Int64.init),
                deployment.tag, payload.images.map(imagesText), deployment.actor, event.recordedAt, event.position)
    }

    /// - Parameter durationMs: the duration the engine measured, if it did; else the recorded times'.
    fileprivate static func finished(_ event: Input, outcome: DeploymentOutcome, stage: String, reason: String, durationMs: Int64?, _ db: Connection) throws {
        guard let deployment = try deploymentContext(event.stream, db) else { return }
        // A deployment ECS already rolled back stays "rolled_back": that is the more telling outcome.
        try db.cachedStatement("""
            UPDATE deployments SET
                outcome = CASE WHEN rolled_back_to IS NOT NULL THEN 'rolled_back' ELSE ?1 END,
                failure_stage = ?2, failure_reason = ?3, ended_at = ?4,
                duration_ms = COALESCE(?6, CAST(round((julianday(?4) - julianday(started_at)) * 86400000) AS INTEGER))
            WHERE id = ?5
            """).execute(outcome.rawValue, stage, reason, event.recordedAt, event.stream, durationMs)
        try db.cachedStatement("""
            UPDATE environment_state SET deployment_in_progress = NULL, last_outcome = ?, updated_position = ?
            WHERE app = ? AND environment = ? AND deployment_in_progress = ?
            """).execute(outcome.rawValue, event.position, deployment.app, deployment.environment, event.stream)
    }

    fileprivate static func rolledBack(_ event: Input, _ payload: RolledBackAutomatically, _ db: Connection) throws {
        guard let deployment = try deploymentContext(event.stream, db) else { return }
        try db.cachedStatement("""
            UPDATE deployments SET outcome = 'rolled_back', rolled_back_to = ?1, ended_at = ?2,
                duration_ms = CAST(round((julianday(?2) - julianday(started_at)) * 86400000) AS INTEGER)
            WHERE id = ?3
            """).execute(payload.taskDefinitionArn, event.recordedAt, event.stream)
        let revision = payload.revision ?? revisionNumber(in: payload.taskDefinitionArn)
        // The service runs the revision ECS went back to; its tag is the one that ran before.
        try db.cachedStatement("""
            UPDATE environment_state SET task_definition_arn = ?, revision = ?, deployment_in_progress = NULL,
                last_outcome = 'rolled_back', updated_position = ?
            WHERE app = ? AND environment = ?
            """).execute(payload.taskDefinitionArn, revision.map(Int64.init), event.position, deployment.app, deployment.environment)
    }

    fileprivate static func setDrift(_ drift: String?, app: String, environment: String, _ event: Input, _ db: Connection) throws {
        try db.cachedStatement("""
            INSERT INTO environment_state (app, environment, drift, updated_position) VALUES (?, ?, ?, ?)
            ON CONFLICT (app, environment) DO UPDATE SET drift = excluded.drift, updated_position = excluded.updated_position
            """).execute(app, environment, drift, event.position)
    }

    private struct DeploymentContext {
        var app: String
        var environment: String
        var tag: String
        var actor: String?
    }

    private static func deploymentContext(_ id: String, _ db: Connection) throws -> DeploymentContext? {
        try db.cachedStatement("SELECT app, environment, tag, actor FROM deployments WHERE id = ?").queryFirst(id) {
            DeploymentContext(app: $0.string(at: 0), environment: $0.string(at: 1), tag: $0.string(at: 2), actor: $0.optionalString(at: 3))
        }
    }

    // MARK: Audit

    /// Conclusions that mean a run did not do its job; `cancelled` and `skipped` were someone's choice.
    private static let failedConclusions: Set<String> = ["failure", "timed_out", "startup_failure"]

    /// A workflow run is one action, audited once with its outcome when it completes; the deliveries
    /// before that (requested, in progress) are its progress, as a deployment's steps are.
    fileprivate static func workflowRun(_ event: Input, _ payload: WorkflowRunReported, _ db: Connection) throws {
        guard payload.status == "completed" else { return }
        let conclusion = payload.conclusion ?? "none"
        try audit(event, action: "github.run", target: payload.name.map { "\(payload.repository): \($0)" } ?? payload.repository,
                  outcome: failedConclusions.contains(conclusion) ? .failed : .allowed,
                  detail: "run \(payload.runId) \(conclusion) on \(payload.headBranch ?? "no branch") (\(payload.event))"
                      + (payload.originalActor.map { ", a re-run of \($0)'s run" } ?? ""), db)
    }

    fileprivate static func audit(
        _ event: Input, action: String, app: String? = nil, environment: String? = nil, target: String? = nil,
        outcome: AuditOutcome = .allowed, detail: String? = nil, _ db: Connection
    ) throws {
        let metadata = try event.decodedMetadata()
        try db.cachedStatement("""
            INSERT INTO audit (position, recorded_at, actor, via, action, app, environment, target, outcome, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(
                event.position, event.recordedAt, metadata.effectiveActor, metadata.via, action,
                app, environment, target, outcome.rawValue, detail)
    }

    /// `arn:aws:ecs:us-east-1:123:task-definition/staging-api:42` → 42.
    static func revisionNumber(in arn: String) -> Int? {
        arn.split(separator: ":").last.flatMap { Int($0) }
    }

    private static func imagesText(_ images: [String: String]) -> String {
        images.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}

/// A payload a projection reacts to: its conformance says how.
protocol ProjectedPayload: EventPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws
}

extension DeploymentRequested: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.requested(event, self, db)
    }
}

extension TaskDefinitionRegistered: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try db.cachedStatement("UPDATE deployments SET task_definition_arn = ? WHERE id = ?").execute(taskDefinitionArn, event.stream)
    }
}

extension DeploymentStable: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.stable(event, self, db)
    }
}

extension DeploymentFailed: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.finished(event, outcome: .failed, stage: stage, reason: reason, durationMs: durationMs, db)
    }
}

extension DeploymentTimedOut: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.finished(event, outcome: .timedOut, stage: "stabilize", reason: "not stable after \(timeoutSeconds) s",
                                 durationMs: durationMs, db)
    }
}

extension RolledBackAutomatically: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.rolledBack(event, self, db)
    }
}

extension RollbackRequested: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "rollback", app: app, environment: environment, target: tag, db)
    }
}

extension PromotionQueued: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "promote.queue", app: app, environment: environment, target: tag, db)
    }
}

extension TemplateChanged: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "template.change", app: app, environment: environment,
                              target: family, detail: changes.joined(separator: "; "), db)
    }
}

extension AccessDenied: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: action, app: app, environment: environment, outcome: .denied, detail: reason, db)
    }
}

extension TokenIssued: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "token.issue", target: "\(name) (\(role))", db)
    }
}

extension TokenRevoked: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "token.revoke", target: tokenId, db)
    }
}

extension DriftDetected: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.setDrift(differences.joined(separator: "; "), app: app, environment: environment, event, db)
    }
}

extension DriftResolved: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.setDrift(nil, app: app, environment: environment, event, db)
    }
}

extension DriftCorrected: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "reconcile", app: app, environment: environment, target: deploymentId, db)
    }
}

extension ReconcilePlanned: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "reconcile.dry_run", detail: plan.isEmpty ? "nothing to do" : plan.joined(separator: "; "), db)
    }
}

extension ImageBuilt: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "build", target: "\(image):\(tag)", db)
    }
}

extension BuildFailed: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "build", target: image, outcome: .failed, detail: reason, db)
    }
}

extension WorkflowRunReported: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.workflowRun(event, self, db)
    }
}

extension GitHubDeploymentCreated: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "github.deployment", environment: environment,
                              target: "\(repository)@\(ref)", detail: task, db)
    }
}

extension VerificationRecorded: ProjectedPayload {
    func project(_ event: Projections.Input, _ db: Connection) throws {
        try Projections.audit(event, action: "verification", app: app, environment: environment, target: "\(name) \(tag)",
                              outcome: outcome == .failed ? .failed : .allowed, detail: url, db)
    }
}
