import Foundation
import Ledger
import Reports
import Testing

/// A deployment's receipt checks offline with only the public key, and any change to it fails.
struct ReceiptTests {
    let signer: NoteSigner
    let store: EventStore
    let receipt: DeploymentReceipt
    /// Holds the ledger's directory for the test's life.
    let history: ScriptedHistory

    init() async throws {
        (history, store) = try await ScriptedHistory.make()
        signer = try NoteSigner(generatingKeyNamed: "shiplog.test")
        let id = try #require(try store.deployments().first?.id)
        let note = try await store.signCheckpoint(origin: "shiplog.test", signer: signer, time: Date(timeIntervalSince1970: 1_796_000_000))
        receipt = try DeploymentReceipt(deployment: id, store: store, checkpoint: note)
    }

    private func failure(_ receipt: DeploymentReceipt, key: NoteVerifier? = nil) -> String? {
        do {
            _ = try ReceiptVerifier(publicKey: key ?? signer.verifier).verify(receipt)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aReceiptHoldsEveryEventOfTheDeploymentAndVerifies() throws {
        #expect(receipt.events.count == (try store.events(EventFilter(stream: receipt.deployment)).count))
        let result = try ReceiptVerifier(publicKey: signer.verifier).verify(receipt)
        #expect(result.events == receipt.events.count)
        let decoded = try JSONDecoder().decode(DeploymentReceipt.self, from: Data(try receipt.jsonText().utf8))
        #expect(decoded == receipt, "the file reads back as written")
    }

    @Test func aChangedEventADroppedOneAForeignKeyOrABadProofFail() throws {
        var changed = receipt
        changed.events[0].data = changed.events[0].data.replacingOccurrences(of: "}", with: ",\"x\":1}")
        #expect(failure(changed)?.contains("its content does not match its hash") == true, "\(failure(changed) ?? "")")

        var dropped = receipt
        dropped.events.remove(at: 0)
        #expect(failure(dropped)?.contains("is not version 1") == true)

        let other = try NoteSigner(generatingKeyNamed: "shiplog.test")
        #expect(failure(receipt, key: other.verifier)?.contains("the receipt's checkpoint: the note has no signature by key") == true)

        var proof = receipt
        proof.events[0].inclusionProof[0] = String(repeating: "0", count: 64)
        #expect(failure(proof)?.contains("is not in the signed tree") == true)

        var root = receipt
        root.root = String(repeating: "1", count: 64)
        #expect(failure(root)?.contains("differs from its signed checkpoint") == true)
    }

    @Test func aCheckpointThatDoesNotCoverTheDeploymentIsRefused() async throws {
        let head = try #require(try store.head()?.position)
        let early = try #require(try store.deployments().last)
        let lastPosition = try #require(try store.events(EventFilter(stream: early.id)).last?.position)
        #expect(lastPosition <= head)
        let small = "shiplog.test\n1\n\(Data(try store.treeHead(size: 1).root).base64EncodedString())\n\n— shiplog.test AAAA\n"
        #expect(throws: ReportError.self) { try DeploymentReceipt(deployment: early.id, store: store, checkpoint: small) }
        #expect(throws: ReportError.self) { try DeploymentReceipt(deployment: "deployment-nope", store: store, checkpoint: receipt.checkpoint) }
    }
}
