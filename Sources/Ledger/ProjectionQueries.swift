import SQLite

/// Reads of the projections, for status, history and audit.
enum ProjectionQueries {
    static func environmentStates(_ db: Connection) throws -> [EnvironmentState] {
        try db.cachedStatement("""
            SELECT app, environment, task_definition_arn, revision, tag, images, last_healthy_arn, last_healthy_revision,
                   deployment_in_progress, deployed_by, deployed_at, last_outcome, updated_position, drift
            FROM environment_state ORDER BY app, environment
            """).query { row in
                try EnvironmentState(
                    app: row.string(at: 0), environment: row.string(at: 1), taskDefinitionArn: row.optionalString(at: 2),
                    revision: row.optionalInt64(at: 3).map(Int.init), tag: row.optionalString(at: 4), images: row.optionalString(at: 5),
                    lastHealthyArn: row.optionalString(at: 6), lastHealthyRevision: row.optionalInt64(at: 7).map(Int.init),
                    deploymentInProgress: row.optionalString(at: 8), deployedBy: row.optionalString(at: 9),
                    deployedAt: row.optionalString(at: 10), lastOutcome: row.optionalString(at: 11).map { try .stored($0, column: "environment_state.last_outcome") }, updatedPosition: row.int64(at: 12),
                    drift: row.optionalString(at: 13))
            }
    }

    static func deployments(_ filter: DeploymentFilter, _ db: Connection) throws -> [DeploymentRecord] {
        var records: [DeploymentRecord] = []
        try deployments(filter, oldestFirst: false, db) { records.append($0) }
        return records
    }

    /// The deployments `filter` selects, newest first (or oldest first), one at a time.
    static func deployments(_ filter: DeploymentFilter, oldestFirst: Bool, _ db: Connection, _ visit: (DeploymentRecord) throws -> Void) throws {
        var conditions = SQLConditions()
        conditions.add("id = ?", filter.id)
        conditions.add("app = ?", filter.app)
        conditions.add("environment = ?", filter.environment)
        conditions.add("actor = ?", filter.actor)
        conditions.add("outcome = ?", filter.outcome?.rawValue)
        conditions.add("started_at >= ?", filter.since)
        conditions.add("started_at < ?", filter.until)
        conditions.add("position < ?", filter.before)
        try conditions.forEach(db, select: """
            SELECT id, app, environment, tag, trigger, actor, via, source, commit_sha, started_at, ended_at, duration_ms,
                   outcome, failure_stage, failure_reason, task_definition_arn, rolled_back_to, position, committed_at
            FROM deployments
            """, suffix: oldestFirst ? " ORDER BY position ASC LIMIT ?" : " ORDER BY position DESC LIMIT ?", trailing: [filter.limit]) { row in
            try visit(DeploymentRecord(
                id: row.string(at: 0), app: row.string(at: 1), environment: row.string(at: 2), tag: row.string(at: 3),
                trigger: row.string(at: 4), actor: row.optionalString(at: 5), via: row.optionalString(at: 6),
                source: row.optionalString(at: 7), commit: row.optionalString(at: 8), committedAt: row.optionalString(at: 18), startedAt: row.string(at: 9),
                endedAt: row.optionalString(at: 10), durationMs: row.optionalInt64(at: 11), outcome: .stored(row.string(at: 12), column: "deployments.outcome"),
                failureStage: row.optionalString(at: 13), failureReason: row.optionalString(at: 14),
                taskDefinitionArn: row.optionalString(at: 15), rolledBackTo: row.optionalString(at: 16), position: row.int64(at: 17)))
        }
    }

    static func audit(_ filter: AuditFilter, _ db: Connection) throws -> [AuditEntry] {
        var conditions = SQLConditions()
        conditions.add("actor = ?", filter.actor)
        conditions.add("action = ?", filter.action)
        conditions.add("outcome = ?", filter.outcome?.rawValue)
        conditions.add("recorded_at >= ?", filter.since)
        conditions.add("recorded_at < ?", filter.until)
        conditions.add("position < ?", filter.before)
        return try conditions.query(
            db, select: "SELECT position, recorded_at, actor, via, action, app, environment, target, outcome, detail FROM audit",
            suffix: " ORDER BY position DESC LIMIT ?", trailing: [filter.limit]
        ) { row in
            try AuditEntry(
                position: row.int64(at: 0), recordedAt: row.string(at: 1), actor: row.optionalString(at: 2),
                via: row.optionalString(at: 3), action: row.string(at: 4), app: row.optionalString(at: 5),
                environment: row.optionalString(at: 6), target: row.optionalString(at: 7), outcome: .stored(row.string(at: 8), column: "audit.outcome"),
                detail: row.optionalString(at: 9))
        }
    }

    static func positions(_ db: Connection) throws -> [String: Int64] {
        var positions: [String: Int64] = [:]
        for (name, position) in try db.cachedStatement("SELECT name, position FROM projection_positions").query(read: { ($0.string(at: 0), $0.int64(at: 1)) }) {
            positions[name] = position
        }
        return positions
    }
}
