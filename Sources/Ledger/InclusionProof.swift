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
