import Foundation
import SQLite

/// The Merkle tree over the log: tree heads, proofs and signed checkpoints.
///
/// These are what `GET /api/v1/checkpoint`, `/proofs/inclusion` and
/// `/proofs/consistency` will return; every read runs in one read
/// transaction, so the size, the nodes and the events agree.
extension EventStore {
    /// The tree head at `size` events (default: the whole log).
    ///
    /// - Throws: ``TransparencyError/outOfRange(_:)`` for a size beyond the log.
    public func treeHead(size: UInt64? = nil) throws -> TreeHead {
        try readTree { db, logSize in
            let size = try Self.check(size: size ?? logSize, within: logSize)
            return TreeHead(size: size, root: try Merkle.root(size: size) { try LogTree.subtree($0, $1, db) })
        }
    }

    /// The audit path of the event at `position` in the tree of `treeSize` events (default: the whole log).
    ///
    /// - Throws: ``TransparencyError/outOfRange(_:)`` for an unknown position or a size that does not contain it.
    public func inclusionProof(position: Int64, treeSize: UInt64? = nil) throws -> InclusionProof {
        try readTree { db, logSize in
            let size = try Self.check(size: treeSize ?? logSize, within: logSize)
            guard position >= 1, UInt64(position) <= logSize else {
                throw TransparencyError.outOfRange("no event at position \(position) (the log has \(logSize) events)")
            }
            guard UInt64(position) <= size else {
                throw TransparencyError.outOfRange("position \(position) is not in a tree of size \(size)")
            }
            let subtree: Merkle.SubtreeHash = { try LogTree.subtree($0, $1, db) }
            let eventHash = try db.cachedStatement("SELECT hash FROM events WHERE position = ?").queryFirst(position) { $0.blob(at: 0) } ?? []
            return InclusionProof(
                position: position, treeSize: size, eventHash: eventHash, leafHash: Merkle.leafHash(eventHash),
                hashes: try Merkle.inclusionProof(index: UInt64(position - 1), size: size, subtree),
                root: try Merkle.root(size: size, subtree))
        }
    }

    /// Proof that the log at `newSize` events (default: the whole log) extends the log at `oldSize`.
    ///
    /// - Throws: ``TransparencyError/outOfRange(_:)`` when `oldSize` > `newSize` or either is beyond the log.
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64? = nil) throws -> ConsistencyProof {
        try readTree { db, logSize in
            let newSize = try Self.check(size: newSize ?? logSize, within: logSize)
            guard oldSize <= newSize else {
                throw TransparencyError.outOfRange("the old size \(oldSize) is larger than the new size \(newSize)")
            }
            let subtree: Merkle.SubtreeHash = { try LogTree.subtree($0, $1, db) }
            return ConsistencyProof(
                oldSize: oldSize, newSize: newSize, oldRoot: try Merkle.root(size: oldSize, subtree),
                newRoot: try Merkle.root(size: newSize, subtree),
                hashes: try Merkle.consistencyProof(oldSize: oldSize, newSize: newSize, subtree))
        }
    }

    /// The right edge of the tree of `size` events: what an export hands an
    /// auditor so the events after it can be hashed up to the root.
    public func frontier(size: UInt64) throws -> MerkleFrontier {
        try readTree { db, logSize in
            let size = try Self.check(size: size, within: logSize)
            guard let frontier = try LogTree.frontier(size: size, db) else {
                throw LedgerError.storage("the Merkle tree does not reach size \(size)")
            }
            return frontier
        }
    }

    /// Signs the tree head of the whole log as a C2SP checkpoint, stores it, and returns the signed note.
    ///
    /// - Parameters:
    ///   - origin: the checkpoint's first line, naming the log.
    ///   - time: when it is made (the `time` extension line).
    public func signCheckpoint(origin: String, signer: NoteSigner, time: Date) async throws -> String {
        guard let writer = groupWriter else { throw LedgerError.notALedger(path, "opened read-only") }
        return try await writer.exclusive { db in
            try db.transaction(.immediate) {
                let size = try LogTree.size(db)
                let root = try Merkle.root(size: size) { try LogTree.subtree($0, $1, db) }
                if let (earlier, signedAt) = try db.cachedStatement("SELECT root_hash, signed_at FROM checkpoints WHERE tree_size = ? LIMIT 1")
                    .queryFirst(Int64(size), read: { ($0.blob(at: 0), $0.string(at: 1)) }), earlier != root {
                    throw LedgerError.tampered(self.path, "the tree of size \(size) is not the one the checkpoint signed at \(signedAt) holds, and a second root is never signed for one size")
                }
                let signedAt = Timestamp.string(from: time)
                let checkpoint = Checkpoint(origin: origin, size: size, root: root, time: String(signedAt.prefix(19)) + "Z")
                let note = try signer.sign(checkpoint.body)
                try db.cachedStatement("INSERT INTO checkpoints (tree_size, root_hash, signed_at, note) VALUES (?, ?, ?, ?)")
                    .execute(Int64(size), root, signedAt, note)
                return note
            }
        }
    }

    /// The most recently stored signed checkpoint, if any.
    public func latestCheckpoint() throws -> String? {
        try read { db in
            try db.cachedStatement("SELECT note FROM checkpoints ORDER BY rowid DESC LIMIT 1").queryFirst { $0.string(at: 0) }
        }
    }

    /// The newest stored checkpoint, when it covers `position`.
    public func checkpoint(covering position: Int64) throws -> String? {
        try read { db in
            try db.cachedStatement("SELECT tree_size, note FROM checkpoints ORDER BY tree_size DESC, rowid DESC LIMIT 1")
                .queryFirst { $0.int64(at: 0) >= position ? $0.string(at: 1) : nil } ?? nil
        }
    }

    /// Every stored checkpoint's size and root, in the order they were signed.
    public func checkpointSizes() throws -> [(size: Int64, root: [UInt8])] {
        try read { db in
            try db.prepare("SELECT tree_size, root_hash FROM checkpoints ORDER BY rowid").query { ($0.int64(at: 0), $0.blob(at: 1)) }
        }
    }

    /// Every stored checkpoint's signed note and when it was signed, in the order they were signed.
    public func checkpointNotes() throws -> [(signedAt: String, note: String)] {
        try read { db in
            try db.prepare("SELECT signed_at, note FROM checkpoints ORDER BY rowid").query { ($0.string(at: 0), $0.string(at: 1)) }
        }
    }

    /// The tree size of the largest stored checkpoint, if any.
    public func latestCheckpointSize() throws -> UInt64? {
        try read { db in
            try db.cachedStatement("SELECT max(tree_size) FROM checkpoints").queryFirst { $0.isNull(at: 0) ? nil : UInt64($0.int64(at: 0)) } ?? nil
        }
    }

    /// Runs `body` in one read transaction with the log's size.
    func readTree<T>(_ body: (Connection, UInt64) throws -> T) throws -> T {
        try read { db in
            try db.transaction(.deferred) { try body(db, try LogTree.size(db)) }
        }
    }

    private static func check(size: UInt64, within logSize: UInt64) throws -> UInt64 {
        guard size <= logSize else {
            throw TransparencyError.outOfRange("tree size \(size) is beyond the log (it has \(logSize) events)")
        }
        return size
    }
}
