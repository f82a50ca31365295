/// The tree head of the log at some size: what a checkpoint signs.
public struct TreeHead: Sendable, Equatable {
    public var size: UInt64
    public var root: Merkle.Hash
}
