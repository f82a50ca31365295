import Foundation
import Ledger
import Reports
import Testing

/// Every kind of tampering with a signed export is caught, with a message that says which.
struct AuditVerifierTests {
    let signer: NoteSigner
    let report: Report
    let store: EventStore
    let history: ScriptedHistory

    init() async throws {
        (history, store) = try await ScriptedHistory.make()
        signer = try NoteSigner(generatingKeyNamed: "shiplog.test")
        report = try ReportBuilder.build(ReportRequest(
            since: "2026-11-03T00:00:00.000000Z", signer: signer, generatedAt: ScriptedHistory.generatedAt), from: store)
    }

    private func failure(_ report: Report, previous: String? = nil, key: NoteVerifier? = nil) -> String? {
        do {
            _ = try AuditVerifier(publicKey: key ?? signer.verifier).verify(report, previousCheckpoint: previous)
            return nil
        } catch let error as TransparencyError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func anUntouchedExportVerifies() throws {
        let result = try AuditVerifier(publicKey: signer.verifier).verify(report)
        #expect(result.treeSize == UInt64(try store.events().count))
        #expect(result.deployments == 8)
        #expect(report.evidence.firstPosition > 1, "a period export carries the events from its first deployment on")
    }

    @Test func aChangedEventIsNamed() {
        var tampered = report
        tampered.evidence.events[4].data = tampered.evidence.events[4].data.replacingOccurrences(of: "}", with: #","note":"edited"}"#)
        #expect(failure(tampered) == "changed row: position \(report.evidence.events[4].position) does not hash to its recorded hash")
    }

    @Test func aChangedEventWithARecomputedHashBreaksTheChain() throws {
        var tampered = report
        var event = try #require(tampered.evidence.events[2].recorded)
        event.data = event.data.replacingOccurrences(of: "}", with: #","note":"edited"}"#)
        tampered.evidence.events[2].data = event.data
        tampered.evidence.events[2].hash = EventHasher.hash(of: event).hexString
        #expect(failure(tampered) == "broken chain: position \(event.position + 1)'s previous hash is not the hash of position \(event.position)")
    }

    @Test func aDroppedEventIsNamed() {
        var tampered = report
        let dropped = tampered.evidence.events.remove(at: 3)
        #expect(failure(tampered) == "dropped row: position \(dropped.position) is missing (the next row is position \(dropped.position + 1))")
    }

    @Test func reorderedEventsAreNamed() {
        var tampered = report
        tampered.evidence.events.swapAt(5, 6)
        let positions = report.evidence.events.map(\.position)
        #expect(failure(tampered) == "reordered rows: position \(positions[5]) comes after position \(positions[6])")
    }

    @Test func aTruncatedLogIsNamed() {
        var tampered = report
        tampered.evidence.events.removeLast(2)
        let size = report.checkpoint.treeSize
        #expect(failure(tampered) == "truncated log: the events end at position \(size - 2) but the signed checkpoint covers \(size)")
    }

    @Test func aChangedDeploymentRowIsNamed() {
        var tampered = report
        tampered.deployments[1].outcome = .failed
        #expect(failure(tampered) == "changed row: deployment \(report.deployments[1].id)'s outcome does not match its events")
    }

    @Test func aDroppedDeploymentRowIsNamed() {
        var tampered = report
        let dropped = tampered.deployments.remove(at: 2)
        #expect(failure(tampered) == "dropped row: deployment \(dropped.id) is in the events but not in the export")
    }

    @Test func reorderedDeploymentRowsAreNamed() {
        var tampered = report
        tampered.deployments.swapAt(0, 1)
        #expect(failure(tampered) == "reordered rows: deployment \(report.deployments[1].id) is out of log order")
    }

    @Test func changedMeasuresAreNamed() {
        var tampered = report
        tampered.dora[0].changeFailureRate = 0
        #expect(failure(tampered) == "changed row: the DORA measures do not match the deployments")
    }

    @Test func anAlteredCheckpointOrAnotherKeyFailsTheSignature() throws {
        var tampered = report
        tampered.checkpoint.note = tampered.checkpoint.note.replacingOccurrences(of: "\n\(report.checkpoint.treeSize)\n", with: "\n\(report.checkpoint.treeSize - 1)\n")
        #expect(failure(tampered)?.hasPrefix("the export's checkpoint: the signature by key 'shiplog.test' does not verify") == true)
        let stranger = try NoteSigner(generatingKeyNamed: "shiplog.test")
        #expect(failure(report, key: stranger.verifier)?.hasPrefix("the export's checkpoint: the note has no signature by key 'shiplog.test'") == true)
        let unsigned = try ReportBuilder.build(ReportRequest(generatedAt: ScriptedHistory.generatedAt), from: store)
        #expect(failure(unsigned) == "the export's checkpoint is not signed")
    }

    @Test func theLogExtendsAnOlderCheckpointFromTheEvents() async throws {
        // A checkpoint taken inside the exported range is checked from the events alone.
        let old = try signer.sign(Checkpoint(origin: "shiplog.test", size: UInt64(report.evidence.firstPosition + 2),
                                             root: try store.treeHead(size: UInt64(report.evidence.firstPosition + 2)).root).body)
        #expect(failure(report, previous: old) == nil)
    }

    @Test func anOlderCheckpointBeforeTheEventsNeedsTheEmbeddedProof() throws {
        let oldSize: UInt64 = 3
        let old = try signer.sign(Checkpoint(origin: "shiplog.test", size: oldSize, root: try store.treeHead(size: oldSize).root).body)
        #expect(failure(report, previous: old)?.contains("export again with --previous-checkpoint") == true)
        let withProof = try ReportBuilder.build(ReportRequest(
            since: "2026-11-03T00:00:00.000000Z", signer: signer, previousSize: oldSize, generatedAt: ScriptedHistory.generatedAt), from: store)
        #expect(failure(withProof, previous: old) == nil)
    }

    @Test func aRewrittenOrLongerOlderCheckpointIsCaught() throws {
        let forked = try signer.sign(Checkpoint(origin: "shiplog.test", size: 3, root: [UInt8](repeating: 7, count: 32)).body)
        let withProof = try ReportBuilder.build(ReportRequest(
            since: "2026-11-03T00:00:00.000000Z", signer: signer, previousSize: 3, generatedAt: ScriptedHistory.generatedAt), from: store)
        #expect(failure(withProof, previous: forked) == "rewritten log: the signed log of size \(report.checkpoint.treeSize) does not extend the previous checkpoint of size 3")
        let longer = try signer.sign(Checkpoint(origin: "shiplog.test", size: report.checkpoint.treeSize + 5, root: [UInt8](repeating: 7, count: 32)).body)
        #expect(failure(report, previous: longer) == "truncated log: the export's checkpoint has \(report.checkpoint.treeSize) events, fewer than the previous checkpoint's \(report.checkpoint.treeSize + 5)")
    }
}
