/// The tree head of the log at some size: what a checkpoint signs.
public struct TreeHead: Sendable, Equatable {
    public var size: UInt64
    public var root: Merkle.Hash
}

/// The audit path of one event: with the event's hash it leads to the root of
/// the tree of `treeSize` events.
public struct InclusionProof: Sendable, Equatable {
    /// The event's position (its leaf index is `position - 1`).
    public var position: Int64
    public var treeSize: UInt64
    /// The event's chain hash: the leaf data.
    public var eventHash: Merkle.Hash
    public var leafHash: Merkle.Hash
    public var hashes: [Merkle.Hash]
    public var root: Merkle.Hash

    /// Recomputes the root from the leaf and the path.
    public var verifies: Bool {
        Merkle.verifyInclusion(index: UInt64(position - 1), size: treeSize, leafHash: leafHash, proof: hashes, root: root)
    }
}

/// Proof that the log of `newSize` events extends the log of `oldSize` events.
public struct ConsistencyProof: Sendable, Equatable {
    public var oldSize: UInt64
    public var newSize: UInt64
    public var oldRoot: Merkle.Hash
    public var newRoot: Merkle.Hash
    public var hashes: [Merkle.Hash]

    public var verifies: Bool {
        Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: hashes)
    }
}
