import Ledger

/// Computes the DORA measures from a period's deployments.
public enum DORACalculator {
    /// The measures per app and environment, sorted by app then environment.
    ///
    /// - Parameters:
    ///   - deployments: the period's deployments, in log order.
    ///   - days: the length of the period in days.
    public static func measures(_ deployments: [ReportDeployment], days: Double) -> [DORAMeasures] {
        let failures = failedIDs(deployments)
        // Groups of positions, not of rows: a full export's 100k rows are not copied again.
        let groups = Dictionary(grouping: deployments.indices) { GroupKey(app: deployments[$0].app, environment: deployments[$0].environment) }
        return groups.keys.sorted().map { key in
            let group = (groups[key] ?? []).lazy.map { deployments[$0] }
            let finished = group.filter { $0.outcome != .inProgress }.count
            let failed = group.filter { $0.outcome != .inProgress && failures.failed.contains($0.id) }.count
            let leadTimes = leadTimes(group)
            let restores = key.environment == "production" ? restoreTimes(group, failures: failures) : []
            return DORAMeasures(
                app: key.app, environment: key.environment, deployments: group.count,
                deploymentsPerDay: rounded(Double(group.count) / days),
                leadTimeSamples: leadTimes.count, leadTimeMedianSeconds: median(leadTimes),
                finished: finished, changeFailures: failed,
                changeFailureRate: finished == 0 ? nil : rounded(Double(failed) / Double(finished)),
                restores: restores.count, timeToRestoreMedianSeconds: median(restores))
        }
    }

    /// The measures over everything, in 7-day buckets from `start` (microseconds) to `end`.
    public static func weekly(_ deployments: [ReportDeployment], start: Int64, end: Int64) -> [WeeklyMeasures] {
        let failures = failedIDs(deployments)
        let week: Int64 = 7 * 86_400 * 1_000_000
        var weeks: [WeeklyMeasures] = []
        var weekStart = start
        repeat {
            let weekEnd = weekStart + week
            let inWeek = deployments.lazy.filter {
                guard let started = ExactTime.microseconds($0.startedAt) else { return false }
                return started >= weekStart && started < weekEnd
            }
            let finished = inWeek.filter { $0.outcome != .inProgress }.count
            let failed = inWeek.filter { $0.outcome != .inProgress && failures.failed.contains($0.id) }.count
            weeks.append(WeeklyMeasures(
                weekStart: String(ReportClock.text(microseconds: weekStart).prefix(10)), deployments: inWeek.count,
                changeFailures: failed,
                changeFailureRate: finished == 0 ? nil : rounded(Double(failed) / Double(finished)),
                leadTimeMedianSeconds: median(leadTimes(inWeek))))
            weekStart = weekEnd
        } while weekStart < end
        return weeks
    }

    /// Which deployments count as failed, and when each failure began (microseconds).
    struct Failures {
        var failed: Set<String> = []
        var since: [String: Int64] = [:]
    }

    static func failedIDs(_ deployments: [ReportDeployment]) -> Failures {
        var failures = Failures()
        var lastSucceeded: [GroupKey: ReportDeployment] = [:]
        for deployment in deployments {
            let key = GroupKey(app: deployment.app, environment: deployment.environment)
            if deployment.outcome.isFailure {
                failures.failed.insert(deployment.id)
                failures.since[deployment.id] = deployment.endedAt.flatMap(ExactTime.microseconds) ?? ExactTime.microseconds(deployment.startedAt)
            }
            // A rollback by hand says the deployment it replaced was a failure.
            if deployment.trigger == "rollback", let replaced = lastSucceeded[key] {
                failures.failed.insert(replaced.id)
                failures.since[replaced.id] = ExactTime.microseconds(deployment.startedAt)
                lastSucceeded[key] = nil
            }
            if deployment.outcome == .succeeded { lastSucceeded[key] = deployment }
        }
        return failures
    }

    private static func leadTimes(_ deployments: some Sequence<ReportDeployment>) -> [Int64] {
        deployments.compactMap { deployment in
            guard deployment.outcome == .succeeded, let committed = deployment.committedAt.flatMap(ExactTime.microseconds),
                  let stable = deployment.endedAt.flatMap(ExactTime.microseconds) else { return nil }
            return (stable - committed) / 1_000_000
        }
    }

    private static func restoreTimes(_ deployments: some Sequence<ReportDeployment>, failures: Failures) -> [Int64] {
        var restores: [Int64] = []
        var incidentStart: Int64?
        for deployment in deployments {
            if failures.failed.contains(deployment.id), let since = failures.since[deployment.id] {
                incidentStart = min(incidentStart ?? since, since)
            } else if deployment.outcome == .succeeded, let start = incidentStart,
                      let restored = deployment.endedAt.flatMap(ExactTime.microseconds), restored >= start {
                restores.append((restored - start) / 1_000_000)
                incidentStart = nil
            }
        }
        return restores
    }

    static func median(_ values: [Int64]) -> Int64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }

    struct GroupKey: Hashable, Comparable {
        var app: String
        var environment: String
        static func < (lhs: GroupKey, rhs: GroupKey) -> Bool {
            (lhs.app, lhs.environment) < (rhs.app, rhs.environment)
        }
    }
}
