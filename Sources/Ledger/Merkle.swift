import Crypto

/// RFC 6962 Merkle tree hashing and proofs (section 2.1; RFC 9162 section 2.1
/// for the verification algorithms).
///
/// Leaf hash: SHA-256(0x00 ‖ leaf data); node hash: SHA-256(0x01 ‖ left ‖ right).
/// The ledger's leaf data is an event's 32-byte chain hash (``EventHasher``),
/// which already commits to the event's canonical encoding, so leaf i of the
/// tree is `leafHash(hash of position i + 1)`.
///
/// Proofs are computed from a function giving the hash of any complete subtree
/// (`level`, `index`), so the same code serves an in-memory list of leaves and
/// the database's stored subtrees.
public enum Merkle {
    public typealias Hash = [UInt8]

    /// The root of the empty tree: SHA-256 of nothing.
    public static let emptyRoot: Hash = Array(SHA256.hash(data: [UInt8]()))

    public static func leafHash(_ data: some Collection<UInt8>) -> Hash {
        var hasher = SHA256()
        hasher.update(data: [0])
        hasher.update(data: Array(data))
        return Array(hasher.finalize())
    }

    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        var hasher = SHA256()
        hasher.update(data: [1])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// The largest power of two smaller than `n` (n > 1).
    static func split(_ n: UInt64) -> UInt64 {
        UInt64(1) << (63 - (n - 1).leadingZeroBitCount)
    }

    // MARK: Computing from complete subtrees

    /// The hash of a complete subtree: `level` 0 is a leaf, `index` counts from the left.
    public typealias SubtreeHash = (_ level: Int, _ index: UInt64) throws -> Hash

    /// MTH(D[start ..< end]) for a range that RFC 6962's recursion produces:
    /// `start` is a multiple of the largest power of two not above `end - start`.
    static func rangeHash(_ start: UInt64, _ end: UInt64, _ subtree: SubtreeHash) throws -> Hash {
        let count = end - start
        if count & (count - 1) == 0 {
            let level = count.trailingZeroBitCount
            return try subtree(level, start >> UInt64(level))
        }
        let k = split(count)
        return nodeHash(try rangeHash(start, start + k, subtree), try rangeHash(start + k, end, subtree))
    }

    /// The root of the tree of `size` leaves.
    public static func root(size: UInt64, _ subtree: SubtreeHash) throws -> Hash {
        size == 0 ? emptyRoot : try rangeHash(0, size, subtree)
    }

    /// RFC 6962 PATH(m, D[0:n]): the audit path of leaf `index` in the tree of `size` leaves.
    public static func inclusionProof(index: UInt64, size: UInt64, _ subtree: SubtreeHash) throws -> [Hash] {
        precondition(index < size)
        var proof: [Hash] = []
        // Walk down from the root; siblings are collected top-down and returned bottom-up.
        var start: UInt64 = 0, end = size, m = index
        while end - start > 1 {
            let k = split(end - start)
            if m < k {
                proof.append(try rangeHash(start + k, end, subtree))
                end = start + k
            } else {
                proof.append(try rangeHash(start, start + k, subtree))
                start += k
                m -= k
            }
        }
        return proof.reversed()
    }

    /// RFC 6962 PROOF(m, D[0:n]): proof that the tree of `oldSize` leaves is a prefix of the one of `newSize`.
    public static func consistencyProof(oldSize: UInt64, newSize: UInt64, _ subtree: SubtreeHash) throws -> [Hash] {
        precondition(oldSize <= newSize)
        guard oldSize > 0, oldSize < newSize else { return [] }
        var proof: [Hash] = []
        // SUBPROOF(m, D[start:end], b), unrolled; the nodes come out bottom-up once reversed.
        var start: UInt64 = 0, end = newSize, m = oldSize, complete = true
        while true {
            let n = end - start
            if m == n {
                if !complete { proof.append(try rangeHash(start, end, subtree)) }
                break
            }
            let k = split(n)
            if m <= k {
                proof.append(try rangeHash(start + k, end, subtree))
                end = start + k
            } else {
                proof.append(try rangeHash(start, start + k, subtree))
                start += k
                m -= k
                complete = false
            }
        }
        return proof.reversed()
    }

    // MARK: Verifying (RFC 9162 sections 2.1.3.2 and 2.1.4.2)

    /// The root an inclusion proof leads to, or `nil` when the proof has the wrong length.
    public static func rootFromInclusionProof(index: UInt64, size: UInt64, leafHash: Hash, proof: [Hash]) -> Hash? {
        guard index < size else { return nil }
        var fn = index, sn = size - 1
        var r = leafHash
        for p in proof {
            guard p.count == 32, sn != 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    public static func verifyInclusion(index: UInt64, size: UInt64, leafHash: Hash, proof: [Hash], root: Hash) -> Bool {
        rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof) == root
    }

    /// Checks that `newRoot` (of `newSize` leaves) extends `oldRoot` (of `oldSize` leaves).
    public static func verifyConsistency(oldSize: UInt64, newSize: UInt64, oldRoot: Hash, newRoot: Hash, proof: [Hash]) -> Bool {
        guard oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty }
        guard !proof.isEmpty, proof.allSatisfy({ $0.count == 32 }) else { return false }
        var path = proof[...]
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: path.startIndex) }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path.removeFirst(), sr = fr
        for c in path {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == oldRoot && sr == newRoot
    }
}
