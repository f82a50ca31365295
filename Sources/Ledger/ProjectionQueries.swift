import SQLite

/// Reads of the projections, for status, history and audit.
enum ProjectionQueries {
    static func environmentStates(_ db: Connection) throws -> [EnvironmentState] {
        try db.cachedStatement("""
            SELECT app, environment, task_definition_arn, revision, tag, images, last_healthy_arn, last_healthy_revision,
                   deployment_in_progress, deployed_by, deployed_at, last_outcome, updated_position
            FROM environment_state ORDER BY app, environment
            """).query { row in
                EnvironmentState(
                    app: row.string(at: 0), environment: row.string(at: 1), taskDefinitionArn: row.optionalString(at: 2),
                    revision: row.optionalInt64(at: 3).map(Int.init), tag: row.optionalString(at: 4), images: row.optionalString(at: 5),
                    lastHealthyArn: row.optionalString(at: 6), lastHealthyRevision: row.optionalInt64(at: 7).map(Int.init),
                    deploymentInProgress: row.optionalString(at: 8), deployedBy: row.optionalString(at: 9),
                    deployedAt: row.optionalString(at: 10), lastOutcome: row.optionalString(at: 11), updatedPosition: row.int64(at: 12))
            }
    }

    static func deployments(_ filter: DeploymentFilter, _ db: Connection) throws -> [DeploymentRecord] {
        var clauses: [String] = []
        var arguments: [(any SQLiteBindable)?] = []
        func add(_ clause: String, _ value: (any SQLiteBindable)?) {
            guard let value else { return }
            clauses.append(clause)
            arguments.append(value)
        }
        add("app = ?", filter.app)
        add("environment = ?", filter.environment)
        add("actor = ?", filter.actor)
        add("outcome = ?", filter.outcome)
        add("started_at >= ?", filter.since)
        add("started_at < ?", filter.until)
        add("position < ?", filter.before)
        var sql = """
            SELECT id, app, environment, tag, trigger, actor, via, source, commit_sha, started_at, ended_at, duration_ms,
                   outcome, failure_stage, failure_reason, task_definition_arn, rolled_back_to, position
            FROM deployments
            """
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY position DESC LIMIT ?"
        arguments.append(filter.limit)
        let statement = try db.cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        var records: [DeploymentRecord] = []
        while try statement.step() {
            let row = statement
            records.append(DeploymentRecord(
                id: row.string(at: 0), app: row.string(at: 1), environment: row.string(at: 2), tag: row.string(at: 3),
                trigger: row.string(at: 4), actor: row.optionalString(at: 5), via: row.optionalString(at: 6),
                source: row.optionalString(at: 7), commit: row.optionalString(at: 8), startedAt: row.string(at: 9),
                endedAt: row.optionalString(at: 10), durationMs: row.optionalInt64(at: 11), outcome: row.string(at: 12),
                failureStage: row.optionalString(at: 13), failureReason: row.optionalString(at: 14),
                taskDefinitionArn: row.optionalString(at: 15), rolledBackTo: row.optionalString(at: 16), position: row.int64(at: 17)))
        }
        return records
    }

    static func audit(_ filter: AuditFilter, _ db: Connection) throws -> [AuditEntry] {
        var clauses: [String] = []
        var arguments: [(any SQLiteBindable)?] = []
        func add(_ clause: String, _ value: (any SQLiteBindable)?) {
            guard let value else { return }
            clauses.append(clause)
            arguments.append(value)
        }
        add("actor = ?", filter.actor)
        add("action = ?", filter.action)
        add("outcome = ?", filter.outcome)
        add("recorded_at >= ?", filter.since)
        add("recorded_at < ?", filter.until)
        var sql = "SELECT position, recorded_at, actor, via, action, app, environment, target, outcome, detail FROM audit"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY position DESC LIMIT ?"
        arguments.append(filter.limit)
        let statement = try db.cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        var entries: [AuditEntry] = []
        while try statement.step() {
            let row = statement
            entries.append(AuditEntry(
                position: row.int64(at: 0), recordedAt: row.string(at: 1), actor: row.optionalString(at: 2),
                via: row.optionalString(at: 3), action: row.string(at: 4), app: row.optionalString(at: 5),
                environment: row.optionalString(at: 6), target: row.optionalString(at: 7), outcome: row.string(at: 8),
                detail: row.optionalString(at: 9)))
        }
        return entries
    }

    static func positions(_ db: Connection) throws -> [String: Int64] {
        var positions: [String: Int64] = [:]
        for (name, position) in try db.cachedStatement("SELECT name, position FROM projection_positions").query(read: { ($0.string(at: 0), $0.int64(at: 1)) }) {
            positions[name] = position
        }
        return positions
    }
}
