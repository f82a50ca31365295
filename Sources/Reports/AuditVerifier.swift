import Foundation
import Ledger

/// Checks a JSON export offline, with only the log's public key and, when the
/// auditor kept one, an older checkpoint: no database.
///
/// In order, it checks that the embedded checkpoint is signed by the key; that
/// the events are in order with no gaps, each hashes (the ledger's canonical
/// encoding) to its recorded hash and links to the one before; that hashing
/// them onto the tree before them gives the signed root of the signed size;
/// that the deployment rows and the DORA measures are what those events say;
/// and that the signed log extends the older checkpoint. The first failure
/// is thrown as one line naming what was changed, dropped, reordered or cut.
///
/// `GET /api/v1/proofs/...` hands out the same proofs this checks.
public struct AuditVerifier {
    public let verifier: NoteVerifier

    public init(publicKey: NoteVerifier) {
        verifier = publicKey
    }

    /// What a successful audit established.
    public struct Result: Sendable, Equatable {
        public var treeSize: UInt64
        public var root: Merkle.Hash
        public var events: Int
        public var deployments: Int
        /// The size of the older checkpoint the log was shown to extend, if one was given.
        public var extends: UInt64?
    }

    /// Audits `report` against the key and, optionally, an older signed checkpoint.
    ///
    /// - Throws: ``TransparencyError`` — `verificationFailed` for evidence that does not
    ///   match what was signed, `badSignature` or `malformed` for the inputs.
    public func verify(_ report: Report, previousCheckpoint: String? = nil) throws -> Result {
        let checkpoint = try signedCheckpoint(report.checkpoint.note, what: "the export's checkpoint")
        guard checkpoint.size == report.checkpoint.treeSize, checkpoint.root.hexString == report.checkpoint.rootHash else {
            throw TransparencyError.verificationFailed("the export's tree size or root hash differs from its signed checkpoint")
        }
        let root = try verifyEvents(report.evidence, checkpoint: checkpoint)
        try verifyDeployments(report)
        var extends: UInt64?
        if let previousCheckpoint {
            let old = try signedCheckpoint(previousCheckpoint, what: "the previous checkpoint")
            try verifyConsistency(old: old, new: checkpoint, root: root, evidence: report.evidence)
            extends = old.size
        }
        return Result(treeSize: checkpoint.size, root: checkpoint.root, events: report.evidence.events.count,
                      deployments: report.deployments.count, extends: extends)
    }

    private func signedCheckpoint(_ note: String, what: String) throws -> Checkpoint {
        let text: String
        do {
            text = try verifier.open(note)
        } catch let error as TransparencyError {
            throw error.isMalformed && !note.contains("\n\n")
                ? TransparencyError.badSignature("\(what) is not signed")
                : TransparencyError.badSignature("\(what): \(error.message)")
        }
        return try Checkpoint(body: text)
    }

    /// Walks the events onto the tree before them; returns the root they lead to (the signed one).
    private func verifyEvents(_ evidence: Report.Evidence, checkpoint: Checkpoint) throws -> Merkle.Hash {
        guard evidence.firstPosition >= 1,
              let prefixHashes = Optional(evidence.prefix.compactMap { [UInt8](hex: $0) }), prefixHashes.count == evidence.prefix.count,
              var tree = MerkleFrontier(size: UInt64(evidence.firstPosition - 1), hashes: prefixHashes) else {
            throw TransparencyError.verificationFailed("the evidence's tree prefix does not fit its first position \(evidence.firstPosition)")
        }
        let positions = evidence.events.map(\.position)
        if let index = positions.indices.dropFirst().first(where: { positions[$0] < positions[$0 - 1] }) {
            throw TransparencyError.verificationFailed("reordered rows: position \(positions[index]) comes after position \(positions[index - 1])")
        }
        var expected = evidence.firstPosition
        var previousHash: [UInt8]?
        for row in evidence.events {
            guard row.position == expected else {
                throw row.position > expected
                    ? TransparencyError.verificationFailed("dropped row: position \(expected) is missing (the next row is position \(row.position))")
                    : TransparencyError.verificationFailed("duplicated row: position \(row.position) appears twice")
            }
            guard let event = row.recorded else {
                throw TransparencyError.verificationFailed("changed row: position \(row.position) has a hash that is not hex")
            }
            guard EventHasher.hash(of: event) == event.hash else {
                throw TransparencyError.verificationFailed("changed row: position \(row.position) does not hash to its recorded hash")
            }
            if let previousHash, event.prevHash != previousHash {
                throw TransparencyError.verificationFailed("broken chain: position \(row.position)'s previous hash is not the hash of position \(row.position - 1)")
            }
            tree.append(Merkle.leafHash(event.hash))
            previousHash = event.hash
            expected += 1
        }
        if tree.size < checkpoint.size {
            throw TransparencyError.verificationFailed(
                "truncated log: the events end at position \(tree.size) but the signed checkpoint covers \(checkpoint.size)")
        }
        if tree.size > checkpoint.size {
            throw TransparencyError.verificationFailed(
                "the events run to position \(tree.size), past the signed checkpoint's \(checkpoint.size)")
        }
        guard tree.root == checkpoint.root else {
            throw TransparencyError.verificationFailed("the events do not hash to the signed root: a row or the tree before them was changed")
        }
        return tree.root
    }

    /// Recomputes the deployment rows and the measures from the events and compares.
    private func verifyDeployments(_ report: Report) throws {
        var fold = DeploymentFold()
        for row in report.evidence.events {
            guard let event = row.recorded else { continue }
            do {
                try fold.apply(event)
            } catch let error as LedgerError {
                throw TransparencyError.verificationFailed("position \(row.position): \(error.message)")
            }
        }
        let period = report.period
        let expected = fold.deployments.filter { record in
            (period.app == nil || record.app == period.app) && (period.environment == nil || record.environment == period.environment)
                && (period.since.map { record.startedAt >= $0 } ?? true) && (period.until.map { record.startedAt < $0 } ?? true)
        }.map(ReportDeployment.init)
        let exportedIDs = report.deployments.map(\.id), expectedIDs = expected.map(\.id)
        if let missing = expectedIDs.first(where: { !exportedIDs.contains($0) }) {
            throw TransparencyError.verificationFailed("dropped row: deployment \(missing) is in the events but not in the export")
        }
        if let extra = exportedIDs.first(where: { !expectedIDs.contains($0) }) {
            throw TransparencyError.verificationFailed("changed row: deployment \(extra) is in the export but its events are not")
        }
        if exportedIDs != expectedIDs, let index = exportedIDs.indices.first(where: { exportedIDs[$0] != expectedIDs[$0] }) {
            throw TransparencyError.verificationFailed("reordered rows: deployment \(exportedIDs[index]) is out of log order")
        }
        for (exported, derived) in zip(report.deployments, expected) where exported != derived {
            let field = Self.firstDifference(exported, derived)
            throw TransparencyError.verificationFailed("changed row: deployment \(exported.id)'s \(field) does not match its events")
        }
        var recomputed = report
        recomputed.computeMeasures()
        guard recomputed.dora == report.dora, recomputed.doraByWeek == report.doraByWeek else {
            throw TransparencyError.verificationFailed("changed row: the DORA measures do not match the deployments")
        }
    }

    private func verifyConsistency(old: Checkpoint, new: Checkpoint, root: Merkle.Hash, evidence: Report.Evidence) throws {
        guard old.size <= new.size else {
            throw TransparencyError.verificationFailed(
                "truncated log: the export's checkpoint has \(new.size) events, fewer than the previous checkpoint's \(old.size)")
        }
        let first = UInt64(evidence.firstPosition)
        let oldRoot: Merkle.Hash?
        if old.size + 1 >= first {
            // The old tree is the prefix plus some of the carried events: rebuild it.
            var tree = MerkleFrontier(size: first - 1, hashes: evidence.prefix.compactMap { [UInt8](hex: $0) })
            for row in evidence.events where UInt64(row.position) <= old.size {
                tree?.append(Merkle.leafHash([UInt8](hex: row.hash) ?? []))
            }
            oldRoot = tree?.root
        } else if let consistency = evidence.consistency, consistency.oldSize == old.size {
            let proof = consistency.proof.compactMap { [UInt8](hex: $0) }
            guard proof.count == consistency.proof.count,
                  Merkle.verifyConsistency(oldSize: old.size, newSize: new.size, oldRoot: old.root, newRoot: root, proof: proof) else {
                throw TransparencyError.verificationFailed(
                    "rewritten log: the signed log of size \(new.size) does not extend the previous checkpoint of size \(old.size)")
            }
            oldRoot = old.root
        } else {
            throw TransparencyError.verificationFailed(
                "the previous checkpoint (size \(old.size)) is older than the export's events (from position \(first)); export again with --previous-checkpoint to embed a consistency proof")
        }
        guard oldRoot == old.root else {
            throw TransparencyError.verificationFailed(
                "rewritten log: the signed log of size \(new.size) does not extend the previous checkpoint of size \(old.size)")
        }
    }

    private static func firstDifference(_ a: ReportDeployment, _ b: ReportDeployment) -> String {
        let fields: [(String, (ReportDeployment) -> String?)] = [
            ("app", \.app), ("environment", \.environment), ("tag", \.tag), ("trigger", \.trigger), ("actor", \.actor),
            ("via", \.via), ("started_at", \.startedAt), ("ended_at", \.endedAt), ("duration_ms", { $0.durationMs.map(String.init) }),
            ("over_fifteen_minutes", { String($0.overFifteenMinutes) }), ("outcome", \.outcome), ("failure_stage", \.failureStage),
            ("failure_reason", \.failureReason), ("rolled_back_to", \.rolledBackTo), ("source", \.source), ("commit", \.commit),
            ("committed_at", \.committedAt), ("position", { String($0.position) }),
        ]
        return fields.first { $0.1(a) != $0.1(b) }?.0 ?? "content"
    }
}
