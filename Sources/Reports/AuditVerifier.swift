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
        try verify(head: report, previousCheckpoint: previousCheckpoint) { visit in
            for event in report.evidence.events { try visit(event) }
        }
    }

    /// Audits a report whose events are read one at a time (``ExportReader``), in bounded memory:
    /// the events are hashed onto the tree, chained and folded into deployments as they come.
    ///
    /// - Parameters:
    ///   - head: the report but its events (``Report/Evidence/events`` is not read).
    ///   - events: calls its argument with each event, in the order the export lists them.
    /// - Throws: as ``verify(_:previousCheckpoint:)``, the same failure for the same export.
    public func verify(head report: Report, previousCheckpoint: String? = nil, events: EvidenceEvents) throws -> Result {
        try verify(head: report, rows: ExportedRows(report.deployments), previousCheckpoint: previousCheckpoint, events: events)
    }

    /// Audits a report whose deployment rows come apart, compact (``ExportReader/headAndRows()``),
    /// and whose events are read one at a time: what a whole export's audit holds is those rows and
    /// the deployments derived from the events, once each.
    public func verify(head report: Report, rows: ExportedRows, previousCheckpoint: String? = nil, events: EvidenceEvents) throws -> Result {
        let checkpoint = try signedCheckpoint(report.checkpoint.note, what: "the export's checkpoint")
        guard checkpoint.size == report.checkpoint.treeSize, checkpoint.root.hexString == report.checkpoint.rootHash else {
            throw TransparencyError.verificationFailed("the export's tree size or root hash differs from its signed checkpoint")
        }
        // Only its size, to keep the root of the tree it names on the way; its signature is checked after the deployments.
        let oldSize = previousCheckpoint.flatMap { try? signedCheckpoint($0, what: "the previous checkpoint").size }
        // The walk and the deployments it derives live only until the rows are compared: the
        // measures are then recomputed from the exported rows alone.
        let (root, oldRoot, walked) = try { () throws -> (Merkle.Hash, Merkle.Hash?, Int) in
            var walk = try EvidenceWalk(report.evidence, oldSize: oldSize, expectedDeployments: rows.count)
            try events { walk.visit($0) }
            let root = try walk.finish(checkpoint: checkpoint)
            try verifyRows(rows, period: report.period, fold: walk.fold, foldFailure: walk.foldFailure)
            return (root, walk.oldRoot, walk.rows)
        }()
        var full = report
        full.deployments = try rows.deployments()
        try verifyMeasures(full)
        var extends: UInt64?
        if let previousCheckpoint {
            let old = try signedCheckpoint(previousCheckpoint, what: "the previous checkpoint")
            try verifyConsistency(old: old, new: checkpoint, root: root, evidence: report.evidence, oldRoot: oldRoot)
            extends = old.size
        }
        return Result(treeSize: checkpoint.size, root: checkpoint.root, events: walked,
                      deployments: rows.count, extends: extends)
    }

    private func signedCheckpoint(_ note: String, what: String) throws -> Checkpoint {
        let text: String
        do {
            text = try verifier.open(note)
        } catch let error as TransparencyError {
            throw error.code == .malformed && !note.contains("\n\n")
                ? TransparencyError.badSignature("\(what) is not signed")
                : TransparencyError.badSignature("\(what): \(error.message)")
        }
        return try Checkpoint(body: text)
    }

    /// Recomputes the deployment rows from the events and compares, one row at a time: the
    /// derived rows are never all held beside the exported ones.
    private func verifyRows(_ rows: ExportedRows, period: Report.Period, fold: DeploymentFold, foldFailure: TransparencyError?) throws {
        if let foldFailure { throw foldFailure }
        func selected(_ record: DeploymentRecord) -> Bool {
            (period.app == nil || record.app == period.app) && (period.environment == nil || record.environment == period.environment)
                && (period.since.map { record.startedAt >= $0 } ?? true) && (period.until.map { record.startedAt < $0 } ?? true)
        }
        let ids = rows.ids
        // Sets: a full export lists 100k deployments, and searching arrays would compare every pair.
        let exportedSet = Set(ids)
        var expectedSet = Set<String>()
        try fold.forEachDeployment { record in
            guard selected(record) else { return }
            guard exportedSet.contains(record.id) else {
                throw TransparencyError.verificationFailed("dropped row: deployment \(record.id) is in the events but not in the export")
            }
            expectedSet.insert(record.id)
        }
        if let extra = ids.first(where: { !expectedSet.contains($0) }) {
            throw TransparencyError.verificationFailed("changed row: deployment \(extra) is in the export but its events are not")
        }
        // Every row is in both; first their order, then their content.
        var index = 0
        try fold.forEachDeployment { record in
            guard selected(record) else { return }
            defer { index += 1 }
            guard index < ids.count, ids[index] == record.id else {
                throw TransparencyError.verificationFailed("reordered rows: deployment \(index < ids.count ? ids[index] : record.id) is out of log order")
            }
        }
        if index < ids.count {
            throw TransparencyError.verificationFailed("reordered rows: deployment \(ids[index]) is out of log order")
        }
        index = 0
        try fold.forEachDeployment { record in
            guard selected(record) else { return }
            let derived = ReportDeployment(record)
            defer { index += 1 }
            guard !rows.matches(index, derived) else { return }
            let exported = try rows.deployment(at: index)
            throw TransparencyError.verificationFailed(
                "changed row: deployment \(exported.id)'s \(Self.firstDifference(exported, derived)) does not match its events")
        }
    }

    /// Recomputes the measures from the (checked) rows and compares.
    private func verifyMeasures(_ report: Report) throws {
        var recomputed = report
        recomputed.computeMeasures()
        guard recomputed.dora == report.dora, recomputed.doraByWeek == report.doraByWeek else {
            throw TransparencyError.verificationFailed("changed row: the DORA measures do not match the deployments")
        }
    }

    /// - Parameter oldRoot: the root of the first `old.size` events, when the walk passed that size.
    private func verifyConsistency(old: Checkpoint, new: Checkpoint, root: Merkle.Hash, evidence: Report.Evidence, oldRoot walked: Merkle.Hash?) throws {
        guard old.size <= new.size else {
            throw TransparencyError.verificationFailed(
                "truncated log: the export's checkpoint has \(new.size) events, fewer than the previous checkpoint's \(old.size)")
        }
        let first = UInt64(evidence.firstPosition)
        let oldRoot: Merkle.Hash?
        if old.size + 1 >= first {
            // The old tree is the prefix plus some of the carried events: the walk rebuilt it.
            oldRoot = walked
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
            ("over_fifteen_minutes", { String($0.overFifteenMinutes) }), ("outcome", \.outcome.rawValue), ("failure_stage", \.failureStage),
            ("failure_reason", \.failureReason), ("rolled_back_to", \.rolledBackTo), ("source", \.source), ("commit", \.commit),
            ("committed_at", \.committedAt), ("position", { String($0.position) }),
        ]
        return fields.first { $0.1(a) != $0.1(b) }?.0 ?? "content"
    }
}
