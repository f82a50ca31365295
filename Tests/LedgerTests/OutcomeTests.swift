import Foundation
import Ledger
import SQLite
import TestSupport
import Testing

/// Outcomes are enums in Swift and the same text as before everywhere they are stored or sent.
struct OutcomeTests {
    let ledger = TestLedger()

    @Test func outcomesKeepTheirStoredSpelling() {
        #expect(DeploymentOutcome.allCases.map(\.rawValue) == ["in_progress", "succeeded", "failed", "timed_out", "rolled_back"])
        #expect(AuditOutcome.allCases.map(\.rawValue) == ["allowed", "denied", "failed"])
    }

    @Test(arguments: [ClaimOutcome.ended(.succeeded), .ended(.rolledBack), .ended(.timedOut), .abandoned])
    func aClaimReleaseRoundTripsThroughItsStoredText(outcome: ClaimOutcome) throws {
        let text = DeploymentClaimReleased(deploymentId: "deployment-1", outcome: outcome).jsonText()
        #expect(text == #"{"deployment_id":"deployment-1","outcome":"\#(outcome.rawValue)"}"#)
        #expect(try DeploymentClaimReleased.decode(from: text).outcome == outcome)
    }

    @Test func aClaimReleaseWithAnUnknownOutcomeIsRefused() {
        #expect(throws: LedgerError.self) {
            try DeploymentClaimReleased.decode(from: #"{"deployment_id":"deployment-1","outcome":"exploded"}"#)
        }
    }

    @Test func aProjectionRowWithAnUnknownOutcomeFailsNamingTheColumnInsteadOfCrashing() async throws {
        let store = try ledger.open()
        _ = try await store.append([
            requested("1"), NewEvent(stream: "deployment-1", DeploymentStable(taskDefinitionArn: arn("staging-api", 8))),
        ])
        #expect(try store.deployments().map(\.outcome) == [.succeeded])
        let file = try Connection(path: ledger.path, mode: .readWrite(create: false))
        try file.execute("UPDATE deployments SET outcome = 'exploded'")
        try file.execute("UPDATE environment_state SET last_outcome = 'exploded'")

        #expect {
            try store.deployments()
        } throws: { error in
            (error as? LedgerError)?.message.contains("deployments.outcome holds 'exploded'") == true
        }
        #expect {
            try store.environmentStates()
        } throws: { error in
            (error as? LedgerError)?.message.contains("environment_state.last_outcome holds 'exploded'") == true
        }
    }
}
