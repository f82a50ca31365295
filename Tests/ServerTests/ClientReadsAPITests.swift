import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Reports
import Server
import Testing

/// What the CLI's client mode reads beyond the dashboard's needs: stored checkpoints, the
/// reconciler's last pass beside the environments, a quick verify, and an export that proves it
/// extends an auditor's older checkpoint.
@Suite struct ClientReadsAPITests {
    @Test func storedCheckpointsAreListedInTheOrderTheyWereSigned() async throws {
        let signer = try NoteSigner(generatingKeyNamed: "shiplog-test")
        let harness = try await ServiceHarness(signingKey: signer.keyText)
        let first = try await harness.store.signCheckpoint(origin: signer.name, signer: signer, time: Date())
        try await harness.application().test(.router) { client in
            let listed = try await client.execute(uri: "/api/v1/checkpoints", method: .get, headers: .bearer(harness.viewer))
            #expect(listed.status == .ok)
            let checkpoints = try #require(listed.json["checkpoints"] as? [[String: Any]])
            #expect(checkpoints.map { $0["note"] as? String } == [first])
            #expect(checkpoints.first?["signed_at"] is String)
            let unknown = try await client.execute(uri: "/api/v1/checkpoints?size=1", method: .get, headers: .bearer(harness.viewer))
            #expect(unknown.status == .badRequest)
        }
    }

    @Test func verifyTakesQuickAndTheReportTakesAPreviousSize() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let quick = try await client.execute(uri: "/api/v1/verify?quick=true", method: .get, headers: .bearer(harness.viewer))
            #expect(quick.status == .ok)
            #expect(quick.json["ok"] as? Bool == true)
            let report = try await client.execute(uri: "/api/v1/reports?format=json&previous_size=1", method: .get, headers: .bearer(harness.viewer))
            #expect(report.status == .ok)
            #expect(String(buffer: report.body).contains("\"consistency\""), "a consistency proof from size 1")
            let bad = try await client.execute(uri: "/api/v1/reports?previous_size=-1", method: .get, headers: .bearer(harness.viewer))
            #expect(bad.status == .badRequest)
            // A size the log has not reached (schemathesis found it answered 500).
            let beyond = try await client.execute(
                uri: "/api/v1/reports?format=csv&previous_size=9223372036854775806", method: .get, headers: .bearer(harness.viewer))
            #expect(beyond.status == .badRequest)
            #expect((beyond.json["error"] as? [String: Any])?["message"] as? String == "the previous checkpoint's size 9223372036854775806 is beyond this export's tree size \(try harness.store.head()?.position ?? 0)")
        }
    }
}
