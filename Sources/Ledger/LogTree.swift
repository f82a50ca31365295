import SQLite

/// The log's Merkle tree as the database keeps it: complete subtrees of
/// 2^``storedLevel`` leaves and up in `merkle_nodes`, smaller ones recomputed
/// from the events' hashes. Every root and proof for any size takes O(log n)
/// lookups.
enum LogTree {
    /// The lowest level stored: subtrees of 16 leaves. Below it, at most 16
    /// event hashes are read instead, so appends write one row per eight events
    /// on average rather than two per event.
    static let storedLevel = 4

    /// The hash of the complete subtree (`level`, `index`) of the log in `db`.
    static func subtree(_ level: Int, _ index: UInt64, _ db: Connection) throws -> Merkle.Hash {
        if level >= storedLevel {
            guard let hash = try db.cachedStatement("SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?")
                .queryFirst(Int64(level), Int64(index), read: { $0.blob(at: 0) }) else {
                throw LedgerError.storage("the Merkle tree has no node at level \(level), index \(index)")
            }
            return hash
        }
        let first = index << UInt64(level), count = UInt64(1) << UInt64(level)
        var leaves = try db.cachedStatement("SELECT hash FROM events WHERE position > ? AND position <= ? ORDER BY position")
            .query(Int64(first), Int64(first + count)) { Merkle.leafHash($0.blob(at: 0)) }
        guard UInt64(leaves.count) == count else {
            throw LedgerError.storage("the log has no event at position \(first + UInt64(leaves.count) + 1)")
        }
        while leaves.count > 1 {
            leaves = stride(from: 0, to: leaves.count, by: 2).map { Merkle.nodeHash(leaves[$0], leaves[$0 + 1]) }
        }
        return leaves[0]
    }

    /// The right edge of the tree of `size` leaves; `nil` when the stored tree
    /// does not reach that far (a database from before the tree existed).
    static func frontier(size: UInt64, _ db: Connection) throws -> MerkleFrontier? {
        var hashes: [Merkle.Hash] = []
        var offset: UInt64 = 0
        for level in (0..<64).reversed() where size & (UInt64(1) << UInt64(level)) != 0 {
            do {
                hashes.append(try subtree(level, offset >> UInt64(level), db))
            } catch let error as LedgerError where error.code == .storage {
                return nil
            }
            offset += UInt64(1) << UInt64(level)
        }
        return MerkleFrontier(size: size, hashes: hashes)
    }

    /// Recomputes every stored subtree from the events (for a ledger created
    /// before the tree was kept); returns the frontier of the whole log.
    static func rebuild(_ db: Connection) throws -> MerkleFrontier {
        try db.execute("DELETE FROM merkle_nodes")
        let insert = try db.cachedStatement("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)")
        var frontier = MerkleFrontier()
        let events = try db.prepare("SELECT hash FROM events ORDER BY position")
        while try events.step() {
            try frontier.append(Merkle.leafHash(events.blob(at: 0))) { level, index, hash in
                if level >= storedLevel { try insert.execute(Int64(level), Int64(index), hash) }
            }
        }
        return frontier
    }

    /// The number of events in the log.
    static func size(_ db: Connection) throws -> UInt64 {
        UInt64(try db.cachedStatement("SELECT coalesce(max(position), 0) FROM events").queryFirst { $0.int64(at: 0) } ?? 0)
    }
}
