import Foundation
import Ledger
@testable import Reports
import Testing

/// The DORA measures of the scripted history, computed by hand (see the
/// comments in ScriptedHistory.swift for each deployment's times).
struct DORATests {
    @Test func theMeasuresMatchTheHandComputedValues() async throws {
        let (history, store) = try await ScriptedHistory.make()
        defer { withExtendedLifetime(history) {} }
        let report = try ReportBuilder.build(ReportRequest(
            since: ScriptedHistory.since, until: ScriptedHistory.until, generatedAt: ScriptedHistory.generatedAt), from: store)
        #expect(report.period.days == 14)
        let byKey = Dictionary(uniqueKeysWithValues: report.dora.map { ("\($0.app)/\($0.environment)", $0) })

        // D2..D6: D3 rolled back by ECS and D5 rolled back by hand (D6) are the failures.
        let apiProduction = try #require(byKey["api/production"])
        #expect(apiProduction.deployments == 5)
        #expect(apiProduction.deploymentsPerDay == 0.357)
        #expect(apiProduction.finished == 5)
        #expect(apiProduction.changeFailures == 2)
        #expect(apiProduction.changeFailureRate == 0.4)
        // Lead times of D2, D4, D5: 6600 s, 2400 s, 2280 s (D6 has no commit time).
        #expect(apiProduction.leadTimeSamples == 3)
        #expect(apiProduction.leadTimeMedianSeconds == 2400)
        // Restores: D3 failed 10:09 → D4 stable 11:40 (5460 s); D6 started 12:00 → stable 12:05 (300 s).
        #expect(apiProduction.restores == 2)
        #expect(apiProduction.timeToRestoreMedianSeconds == 2880)

        let apiStaging = try #require(byKey["api/staging"])
        #expect(apiStaging.deployments == 1)
        #expect(apiStaging.deploymentsPerDay == 0.071)
        #expect(apiStaging.changeFailureRate == 0)
        #expect(apiStaging.leadTimeMedianSeconds == 2160)
        #expect(apiStaging.timeToRestoreMedianSeconds == nil, "time to restore is measured in production only")

        // D7 timed out, D8 is still running: one finished, one failure.
        let frontendStaging = try #require(byKey["frontend/staging"])
        #expect(frontendStaging.deployments == 2)
        #expect(frontendStaging.finished == 1)
        #expect(frontendStaging.changeFailureRate == 1)
        #expect(frontendStaging.leadTimeSamples == 0)
        #expect(frontendStaging.leadTimeMedianSeconds == nil)

        // D9 failed at 09:02, D10 stable at 10:42.
        let frontendProduction = try #require(byKey["frontend/production"])
        #expect(frontendProduction.changeFailureRate == 0.5)
        #expect(frontendProduction.leadTimeMedianSeconds == 2520)
        #expect(frontendProduction.timeToRestoreMedianSeconds == 6000)
        #expect(report.dora.map(\.app) == ["api", "api", "frontend", "frontend"])
    }

    @Test func theWeeklySeriesSplitsThePeriodIntoWeeks() async throws {
        let (history, store) = try await ScriptedHistory.make()
        defer { withExtendedLifetime(history) {} }
        let report = try ReportBuilder.build(ReportRequest(
            since: ScriptedHistory.since, until: ScriptedHistory.until, generatedAt: ScriptedHistory.generatedAt), from: store)
        #expect(report.doraByWeek.map(\.weekStart) == ["2026-11-02", "2026-11-09"])
        // Week 1: D1..D8, seven finished, failures D3, D5, D7; lead times 2160, 2280, 2400, 6600.
        #expect(report.doraByWeek[0].deployments == 8)
        #expect(report.doraByWeek[0].changeFailures == 3)
        #expect(report.doraByWeek[0].changeFailureRate == 0.429)
        #expect(report.doraByWeek[0].leadTimeMedianSeconds == 2340)
        #expect(report.doraByWeek[1].deployments == 2)
        #expect(report.doraByWeek[1].changeFailureRate == 0.5)
    }

    @Test func aManualRollbackCountsTheDeploymentItReplacedAsAFailure() {
        func deployment(_ id: String, trigger: String, outcome: DeploymentOutcome, start: String, end: String) -> ReportDeployment {
            ReportDeployment(DeploymentRecord(
                id: id, app: "api", environment: "production", tag: id, trigger: trigger, startedAt: start, endedAt: end,
                outcome: outcome, position: 0))
        }
        let history = [
            deployment("a", trigger: "release", outcome: .succeeded, start: "2026-11-02T09:00:00.000000Z", end: "2026-11-02T09:05:00.000000Z"),
            deployment("b", trigger: "release", outcome: .succeeded, start: "2026-11-02T10:00:00.000000Z", end: "2026-11-02T10:05:00.000000Z"),
            deployment("c", trigger: "rollback", outcome: .succeeded, start: "2026-11-02T11:00:00.000000Z", end: "2026-11-02T11:04:00.000000Z"),
        ]
        let measures = DORACalculator.measures(history, days: 1)
        #expect(measures[0].changeFailures == 1)
        #expect(measures[0].changeFailureRate == 0.333)
        #expect(measures[0].timeToRestoreMedianSeconds == 240)
    }
}
