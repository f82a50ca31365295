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
