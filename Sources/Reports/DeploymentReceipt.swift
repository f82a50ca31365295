import Foundation
import Ledger

/// One file an auditor can keep: every event of a deployment exactly as the log hashed it, each
/// with its inclusion proof, and the signed checkpoint they are proven against. Checked offline
/// with only the log's public key (``ReceiptVerifier``).
///
/// `data` and `metadata` are kept as the very texts that were hashed, so the receipt needs no
/// canonical JSON to check.
public struct DeploymentReceipt: Codable, Sendable, Equatable {
    public static let formatName = "shiplog.receipt/1"

    public struct Entry: Codable, Sendable, Equatable {
        public var position: Int64
        public var id: String
        public var stream: String
        public var version: Int64
        public var type: String
        public var data: String
        public var metadata: String
        public var recordedAt: String
        public var prevHash: String
        public var hash: String
        /// The audit path from the event's leaf to the checkpoint's root, hashes in hex.
        public var inclusionProof: [String]

        enum CodingKeys: String, CodingKey {
            case position, id, stream, version, type, data, metadata, hash
            case recordedAt = "recorded_at"
            case prevHash = "prev_hash"
            case inclusionProof = "inclusion_proof"
        }

        /// The event as the log holds it.
        var recorded: RecordedEvent? {
            guard let prev = [UInt8](hex: prevHash), let hash = [UInt8](hex: hash) else { return nil }
            return RecordedEvent(position: position, id: id, stream: stream, version: version, type: type, data: data,
                                 metadata: metadata, recordedAt: recordedAt, prevHash: prev, hash: hash)
        }
    }

    public var format: String
    public var deployment: String
    /// The signed checkpoint (a C2SP signed note) every proof leads to.
    public var checkpoint: String
    public var treeSize: UInt64
    public var root: String
    public var events: [Entry]

    enum CodingKeys: String, CodingKey {
        case format, deployment, checkpoint, root, events
        case treeSize = "tree_size"
    }

    /// The receipt of deployment `id`, proven against the signed `checkpoint` (which must cover
    /// every event of it and be this log's).
    ///
    /// - Throws: ``ReportError`` for an unknown deployment or a checkpoint that does not cover it
    ///   or is not this log's tree.
    public init(deployment id: String, store: EventStore, checkpoint note: String) throws {
        let events = try store.events(EventFilter(stream: id))
        guard let last = events.last else { throw ReportError.invalid("no deployment '\(id)' in the ledger") }
        guard let split = note.range(of: "\n\n", options: .backwards),
              let signed = try? Checkpoint(body: String(note[..<split.lowerBound]) + "\n") else {
            throw ReportError.invalid("the checkpoint is not a signed note")
        }
        guard signed.size >= UInt64(last.position) else {
            throw ReportError.invalid("the checkpoint of size \(signed.size) does not cover position \(last.position) of \(id); sign a newer one (`shiplog checkpoint`)")
        }
        guard try store.treeHead(size: signed.size).root == signed.root else {
            throw ReportError.invalid("the checkpoint of size \(signed.size) is not this log's tree")
        }
        format = Self.formatName
        deployment = id
        checkpoint = note
        treeSize = signed.size
        root = signed.root.hexString
        self.events = try events.map { event in
            let proof = try store.inclusionProof(position: event.position, treeSize: signed.size)
            return Entry(position: event.position, id: event.id, stream: event.stream, version: event.version, type: event.type,
                         data: event.data, metadata: event.metadata, recordedAt: event.recordedAt, prevHash: event.prevHash.hexString,
                         hash: event.hash.hexString, inclusionProof: proof.hashes.map(\.hexString))
        }
    }

    /// The receipt as pretty, key-sorted JSON text.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

/// Checks a ``DeploymentReceipt`` offline: the checkpoint is signed by the log's key, every event
/// hashes to its recorded hash, belongs to the deployment in version order from 1, and its
/// inclusion proof leads to the signed root.
public struct ReceiptVerifier {
    public let verifier: NoteVerifier

    public init(publicKey: NoteVerifier) {
        verifier = publicKey
    }

    /// What a receipt that checks proves.
    public struct Result: Sendable, Equatable {
        public var deployment: String
        public var events: Int
        public var treeSize: UInt64
        public var root: Merkle.Hash
    }

    /// - Throws: ``TransparencyError`` naming the first thing that does not hold.
    public func verify(_ receipt: DeploymentReceipt) throws -> Result {
        guard receipt.format == DeploymentReceipt.formatName else {
            throw TransparencyError.malformed("not a receipt of format \(DeploymentReceipt.formatName): '\(receipt.format)'")
        }
        let text: String
        do {
            text = try verifier.open(receipt.checkpoint)
        } catch let error as TransparencyError {
            throw TransparencyError.badSignature("the receipt's checkpoint: \(error.message)")
        }
        let checkpoint = try Checkpoint(body: text)
        guard checkpoint.size == receipt.treeSize, checkpoint.root.hexString == receipt.root else {
            throw TransparencyError.verificationFailed("the receipt's tree size or root differs from its signed checkpoint")
        }
        guard !receipt.events.isEmpty else { throw TransparencyError.verificationFailed("the receipt holds no events") }
        for (index, entry) in receipt.events.enumerated() {
            guard let event = entry.recorded else {
                throw TransparencyError.malformed("event at position \(entry.position): its hashes are not hex")
            }
            guard event.stream == receipt.deployment, event.version == Int64(index + 1) else {
                throw TransparencyError.verificationFailed("event at position \(event.position) is not version \(index + 1) of \(receipt.deployment)")
            }
            guard EventHasher.hash(of: event) == event.hash else {
                throw TransparencyError.verificationFailed("event at position \(event.position): its content does not match its hash")
            }
            let proof = entry.inclusionProof.compactMap { [UInt8](hex: $0) }
            guard proof.count == entry.inclusionProof.count, event.position >= 1,
                  Merkle.verifyInclusion(index: UInt64(event.position - 1), size: checkpoint.size, leafHash: Merkle.leafHash(event.hash),
                                         proof: proof, root: checkpoint.root) else {
                throw TransparencyError.verificationFailed("event at position \(event.position) is not in the signed tree of size \(checkpoint.size)")
            }
        }
        return Result(deployment: receipt.deployment, events: receipt.events.count, treeSize: checkpoint.size, root: checkpoint.root)
    }
}
