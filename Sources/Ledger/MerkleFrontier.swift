/// The right edge of a Merkle tree: the roots of its complete subtrees, one for
/// each bit set in its size, largest first. Enough to append a leaf and to
/// compute the root without the rest of the tree.
///
/// ```swift
/// var frontier = MerkleFrontier()
/// frontier.append(Merkle.leafHash(eventHash)) { level, index, hash in /* store it */ }
/// let root = frontier.root
/// ```
public struct MerkleFrontier: Sendable, Equatable {
    /// The leaves appended so far.
    public private(set) var size: UInt64
    /// (level, hash) of each complete subtree on the right edge, highest level first.
    public private(set) var nodes: [(level: Int, hash: Merkle.Hash)]

    public init() {
        size = 0
        nodes = []
    }

    /// A frontier from its subtree hashes, highest level first, as ``nodes`` gives them.
    ///
    /// - Returns: `nil` when the hashes do not match the bits of `size`.
    public init?(size: UInt64, hashes: [Merkle.Hash]) {
        let levels = (0..<64).reversed().filter { size & (UInt64(1) << UInt64($0)) != 0 }
        guard levels.count == hashes.count, hashes.allSatisfy({ $0.count == 32 }) else { return nil }
        self.size = size
        nodes = zip(levels, hashes).map { ($0, $1) }
    }

    /// Appends a leaf hash.
    public mutating func append(_ leafHash: Merkle.Hash) {
        append(leafHash) { _, _, _ in }
    }

    /// Appends a leaf hash; `completed` sees each complete subtree of two or more
    /// leaves that the leaf finishes, bottom-up, with its level and index.
    public mutating func append(_ leafHash: Merkle.Hash, completed: (_ level: Int, _ index: UInt64, _ hash: Merkle.Hash) throws -> Void) rethrows {
        var hash = leafHash
        var level = 0
        while let last = nodes.last, last.level == level {
            nodes.removeLast()
            hash = Merkle.nodeHash(last.hash, hash)
            level += 1
            try completed(level, (size + 1) >> UInt64(level) - 1, hash)
        }
        nodes.append((level, hash))
        size += 1
    }

    /// The tree's root hash.
    public var root: Merkle.Hash {
        guard var hash = nodes.last?.hash else { return Merkle.emptyRoot }
        for node in nodes.dropLast().reversed() { hash = Merkle.nodeHash(node.hash, hash) }
        return hash
    }

    public static func == (lhs: MerkleFrontier, rhs: MerkleFrontier) -> Bool {
        lhs.size == rhs.size && lhs.nodes.map(\.hash) == rhs.nodes.map(\.hash)
    }
}
