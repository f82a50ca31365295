import SQLite

/// The log as C2SP tlog-tiles: what `GET /tlog/tile/...` serves and `shiplog tiles export` writes.
extension EventStore {
    /// The bytes of `tile`: its hashes, 32 bytes each, or for an entry bundle each event's hash
    /// prefixed by its length as a big-endian uint16.
    ///
    /// - Throws: ``TransparencyError/outOfRange(_:)`` when the log does not hold the whole tile
    ///   (a full tile beyond the tree, a partial one wider than the tree).
    public func tileData(_ tile: TlogTile) throws -> [UInt8] {
        try readTree { db, logSize in
            guard tile.exists(inTreeOf: logSize) else {
                throw TransparencyError.outOfRange("the log (\(logSize) events) does not hold \(tile.path)")
            }
            let first = tile.index * UInt64(TlogTile.fullWidth), count = UInt64(tile.width)
            switch tile.kind {
            case .entries:
                let hashes = try Self.eventHashes(from: first, count: count, db)
                return hashes.flatMap { [UInt8(truncatingIfNeeded: $0.count >> 8), UInt8(truncatingIfNeeded: $0.count)] + $0 }
            case .hashes(let level):
                return try Self.nodes(level: level * TlogTile.height, from: first, count: count, db).flatMap { $0 }
            }
        }
    }

    /// The hashes of events `first + 1 ... first + count` (leaf indexes `first ..< first + count`).
    private static func eventHashes(from first: UInt64, count: UInt64, _ db: Connection) throws -> [[UInt8]] {
        let hashes = try db.cachedStatement("SELECT hash FROM events WHERE position > ? AND position <= ? ORDER BY position")
            .query(Int64(first), Int64(first + count)) { $0.blob(at: 0) }
        guard UInt64(hashes.count) == count else {
            throw LedgerError.storage("the log has no event at position \(first + UInt64(hashes.count) + 1)")
        }
        return hashes
    }

    /// The tree's nodes at `level`, indexes `first ..< first + count`: leaf hashes at level 0,
    /// stored subtrees from ``LogTree/storedLevel`` up, recomputed ones between.
    private static func nodes(level: Int, from first: UInt64, count: UInt64, _ db: Connection) throws -> [Merkle.Hash] {
        if level == 0 { return try eventHashes(from: first, count: count, db).map { Merkle.leafHash($0) } }
        guard level >= LogTree.storedLevel else {
            return try (first..<first + count).map { try LogTree.subtree(level, $0, db) }
        }
        let hashes = try db.cachedStatement("SELECT hash FROM merkle_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx")
            .query(Int64(level), Int64(first), Int64(first + count)) { $0.blob(at: 0) }
        guard UInt64(hashes.count) == count else {
            throw LedgerError.storage("the Merkle tree lacks nodes at level \(level) from index \(first) (found \(hashes.count) of \(count))")
        }
        return hashes
    }
}
