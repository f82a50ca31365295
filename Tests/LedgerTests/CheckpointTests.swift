import Foundation
import Ledger
import Testing

/// Known answers from the signed-note reference implementation
/// (golang.org/x/mod/sumdb/note, its package documentation and example test)
/// and from the C2SP signed-note specification's verifier-key example.
enum NoteVectors {
    static let signerKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let verifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let note = text + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    static let specVerifierKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    static let specNote = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
}

struct SignedNoteTests {
    @Test func signingReproducesTheReferenceNoteByteForByte() throws {
        let signer = try NoteSigner(keyText: NoteVectors.signerKey)
        #expect(try signer.sign(NoteVectors.text) == NoteVectors.note)
        #expect(signer.verifier.keyText == NoteVectors.verifierKey)
        #expect(signer.keyText == NoteVectors.signerKey)
    }

    @Test func theKeyIDIsDerivedFromTheNameAndPublicKey() throws {
        #expect(try NoteVerifier(keyText: NoteVectors.verifierKey).keyID.hexString == "c74f20a3")
        #expect(try NoteVerifier(keyText: NoteVectors.specVerifierKey).keyID.hexString == "530d903a")
    }

    @Test func referenceNotesVerify() throws {
        #expect(try NoteVerifier(keyText: NoteVectors.verifierKey).open(NoteVectors.note) == NoteVectors.text)
        #expect(try NoteVerifier(keyText: NoteVectors.specVerifierKey).open(NoteVectors.specNote) == "This is an example message.\n")
    }

    @Test func analteredNoteOrAnotherKeyIsRejected() throws {
        let verifier = try NoteVerifier(keyText: NoteVectors.verifierKey)
        let altered = NoteVectors.note.replacingOccurrences(of: "cryptography", with: "blockchain")
        #expect(throws: TransparencyError.badSignature("the signature by key 'PeterNeumann' does not verify: the note was altered or signed by another key")) {
            try verifier.open(altered)
        }
        let other = try NoteSigner(generatingKeyNamed: "PeterNeumann")
        #expect(throws: TransparencyError.self) { try other.verifier.open(NoteVectors.note) }
        #expect(throws: TransparencyError.self) { try verifier.open(NoteVectors.text) }
    }

    @Test func malformedKeysAreRefused() {
        #expect(throws: TransparencyError.self) { try NoteVerifier(keyText: "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW") }
        #expect(throws: TransparencyError.self) { try NoteVerifier(keyText: "not a key") }
        #expect(throws: TransparencyError.self) { try NoteSigner(keyText: NoteVectors.verifierKey) }
        #expect(throws: TransparencyError.self) { try NoteSigner(generatingKeyNamed: "has space") }
    }
}

struct CheckpointFormatTests {
    @Test func theBodyIsOriginSizeBase64RootAndExtensions() throws {
        let root = [UInt8](repeating: 0xAB, count: 32)
        let checkpoint = Checkpoint(origin: "shiplog.example/ledger", size: 42, root: root, time: "2026-11-27T10:00:00Z")
        #expect(checkpoint.body == "shiplog.example/ledger\n42\n\(Data(root).base64EncodedString())\ntime 2026-11-27T10:00:00Z\n")
        #expect(try Checkpoint(body: checkpoint.body) == checkpoint)
        #expect(checkpoint.time == "2026-11-27T10:00:00Z")
    }

    @Test func malformedCheckpointsNameTheBadLine() {
        #expect(throws: TransparencyError.malformed("checkpoint: the tree size 'x' is not a decimal number")) {
            try Checkpoint(body: "origin\nx\nAAAA\n")
        }
        #expect(throws: TransparencyError.malformed("checkpoint: the root hash is not 32 bytes of base64")) {
            try Checkpoint(body: "origin\n1\nAAAA\n")
        }
    }

    @Test func aSignedCheckpointOfTheLogVerifiesAndIsStored() async throws {
        let ledger = TestLedger()
        let store = try ledger.open()
        _ = try await store.append([requested("1")])
        let signer = try NoteSigner(generatingKeyNamed: "shiplog.test")
        let note = try await store.signCheckpoint(origin: "shiplog.test", signer: signer, time: Date(timeIntervalSince1970: 1_796_000_000))
        let checkpoint = try Checkpoint(body: try signer.verifier.open(note))
        #expect(checkpoint.size == 1)
        #expect(checkpoint.root == (try store.treeHead().root))
        #expect(checkpoint.time == "2026-11-30T00:53:20Z")
        #expect(try store.latestCheckpoint() == note)
    }
}
