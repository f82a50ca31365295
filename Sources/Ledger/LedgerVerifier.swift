import Foundation
import SQLite

/// What `verify` stands on: the events, the Merkle tree recomputed from them, and every signed
/// checkpoint the ledger has issued — a checkpoint being a promise that the log may only extend.
///
/// In one read transaction it runs SQLite's integrity check, then walks the log once: the
/// positions are gap-free, each event's `prev_hash` is the previous hash and its `hash` its
/// content's, the `actor` column says what the hashed metadata says, every stored Merkle node
/// is the one the events give, and at every checkpointed size the root is the signed one. A
/// checkpoint larger than the log is a truncation.
///
/// What it cannot catch: an operator who rewrites the log *and* every stored checkpoint. That is
/// why checkpoints should also be kept elsewhere — by auditors, or published as tiles.
struct LedgerVerifier {
    let db: Connection
    /// `quick_check` instead of `integrity_check`: skips matching indexes to their tables.
    var quick = false

    /// A stored checkpoint: what its columns say, and the note they came from.
    struct StoredCheckpoint {
        var size: UInt64
        var root: [UInt8]
        var signedAt: String
        var note: String
    }

    func run() throws -> Verification {
        if let problem = try integrityProblem() {
            return Verification(count: 0, headHash: EventHasher.genesis, failure: .init(position: nil, reason: problem))
        }
        let checkpoints = try storedCheckpoints()
        if let failure = Self.inconsistent(checkpoints) {
            return Verification(count: 0, headHash: EventHasher.genesis, failure: failure)
        }
        var pending = checkpoints[...]
        var lastMatched: StoredCheckpoint?
        var expectedPosition: Int64 = 1
        var previousHash = EventHasher.genesis
        var frontier = MerkleFrontier()
        let storedNode = try db.prepare("SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?")
        let statement = try db.prepare(
            "SELECT position, id, stream, version, type, data, metadata, recorded_at, prev_hash, hash, actor FROM events ORDER BY position")
        func failed(_ position: Int64?, _ reason: String) -> Verification {
            Verification(count: expectedPosition - 1, headHash: previousHash, failure: .init(position: position, reason: reason),
                         checkpoints: checkpoints.count - pending.count)
        }
        while try statement.step() {
            let event = EventQuery.read(statement)
            let actorColumn = statement.isNull(at: 10) ? nil : statement.string(at: 10)
            if event.position != expectedPosition {
                return failed(expectedPosition, "position \(expectedPosition) is missing (next is \(event.position))")
            }
            if event.prevHash != previousHash {
                return failed(event.position, "its previous hash does not match the hash of position \(event.position - 1)")
            }
            if EventHasher.hash(of: event) != event.hash {
                return failed(event.position, "its content does not match its hash")
            }
            let hashedActor = EventMetadata.storedEffectiveActor(event.metadata)
            if actorColumn != hashedActor {
                return failed(event.position, "its actor column says \(actorColumn.map { "'\($0)'" } ?? "nothing") but its hashed metadata says \(hashedActor.map { "'\($0)'" } ?? "nothing")")
            }
            var badNode: (level: Int, index: UInt64)?
            try frontier.append(Merkle.leafHash(event.hash)) { level, index, hash in
                guard badNode == nil, level >= LogTree.storedLevel else { return }
                if try storedNode.queryFirst(Int64(level), Int64(index), read: { $0.blob(at: 0) }) != hash { badNode = (level, index) }
            }
            if let badNode {
                let first = Int64(badNode.index << UInt64(badNode.level)) + 1
                return failed(first, "the stored Merkle node at level \(badNode.level), index \(badNode.index) (positions \(first)-\(event.position)) is not the one its events give")
            }
            previousHash = event.hash
            expectedPosition += 1
            while let checkpoint = pending.first, checkpoint.size == frontier.size {
                pending = pending.dropFirst()
                guard checkpoint.root == frontier.root else {
                    let from = (lastMatched?.size ?? 0) + 1
                    return failed(Int64(from), "the checkpoint of size \(checkpoint.size) signed at \(checkpoint.signedAt) has another root than the log: the log and the checkpointed tree part between positions \(from) and \(checkpoint.size)")
                }
                lastMatched = checkpoint
            }
        }
        if let checkpoint = pending.first {
            return failed(expectedPosition, "the log has \(expectedPosition - 1) events but a checkpoint of size \(checkpoint.size) was signed at \(checkpoint.signedAt): the log was truncated (positions \(expectedPosition)-\(checkpoint.size) are gone)")
        }
        let expectedNodes = (LogTree.storedLevel..<64).reduce(UInt64(0)) { $0 + (frontier.size >> UInt64($1)) }
        let storedNodes = UInt64(try db.prepare("SELECT count(*) FROM merkle_nodes").queryFirst { $0.int64(at: 0) } ?? 0)
        if storedNodes != expectedNodes {
            return failed(nil, "merkle_nodes holds \(storedNodes) nodes where a log of \(frontier.size) events has \(expectedNodes)")
        }
        return Verification(count: expectedPosition - 1, headHash: previousHash, failure: nil, checkpoints: checkpoints.count)
    }

    /// The first line `PRAGMA integrity_check` (or `quick_check`) reports, unless it says ok.
    private func integrityProblem() throws -> String? {
        let rows = try db.prepare(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check").query { $0.string(at: 0) }
        guard let first = rows.first, rows != ["ok"] else { return nil }
        return "SQLite's \(quick ? "quick" : "integrity") check found the database damaged: \(first)\(rows.count > 1 ? " (and \(rows.count - 1) more)" : "")"
    }

    private func storedCheckpoints() throws -> [StoredCheckpoint] {
        try db.prepare("SELECT tree_size, root_hash, signed_at, note FROM checkpoints ORDER BY tree_size, rowid").query {
            StoredCheckpoint(size: UInt64($0.int64(at: 0)), root: $0.blob(at: 1), signedAt: $0.string(at: 2), note: $0.string(at: 3))
        }
    }

    /// A checkpoint whose columns are not what its signed note says, or two of one size with
    /// different roots.
    private static func inconsistent(_ checkpoints: [StoredCheckpoint]) -> Verification.Failure? {
        var roots: [UInt64: StoredCheckpoint] = [:]
        for checkpoint in checkpoints {
            let body = checkpoint.note.range(of: "\n\n", options: .backwards).map { String(checkpoint.note[..<$0.lowerBound]) + "\n" }
            guard let body, let signed = try? Checkpoint(body: body), signed.size == checkpoint.size, signed.root == checkpoint.root else {
                return .init(position: nil, reason: "the checkpoint stored as size \(checkpoint.size) signed at \(checkpoint.signedAt) is not what its signed note says")
            }
            if let earlier = roots[checkpoint.size], earlier.root != checkpoint.root {
                return .init(position: nil, reason: "two checkpoints of size \(checkpoint.size) carry different roots (signed at \(earlier.signedAt) and \(checkpoint.signedAt))")
            }
            roots[checkpoint.size] = checkpoint
        }
        return nil
    }
}

extension EventMetadata {
    /// The person who counts (``effectiveActor``) in stored metadata JSON, read without a full
    /// decode when the text is as ``json`` writes it (verify reads it for every event).
    static func storedEffectiveActor(_ json: String) -> String? {
        func value(of key: String) -> String?? {
            guard let start = json.range(of: "\"\(key)\":\"") else { return .some(nil) }
            guard let end = json[start.upperBound...].firstIndex(of: "\"") else { return nil }
            let text = json[start.upperBound..<end]
            return text.contains("\\") ? nil : .some(String(text))
        }
        if let onBehalfOf = value(of: "on_behalf_of"), let actor = value(of: "actor") { return onBehalfOf ?? actor }
        return (try? EventMetadata.decode(from: json))?.effectiveActor
    }
}
