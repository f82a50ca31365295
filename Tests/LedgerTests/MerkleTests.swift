import Foundation
@testable import Ledger
import SQLite
import Testing

/// Test vectors from transparency-dev/merkle (the Certificate Transparency
/// reference data): testonly/constants.go (leaf inputs, node and root hashes)
/// and proof/verify_test.go (inclusion and consistency proofs for those leaves).
enum CTVectors {
    static let leaves: [[UInt8]] = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(hex)

    /// Roots of the trees of 1 ... 8 of those leaves.
    static let roots: [[UInt8]] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ].map(hex)

    static let emptyRoot = hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

    /// (leaf index, tree size, proof).
    static let inclusion: [(UInt64, UInt64, [[UInt8]])] = [
        (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"].map(hex)),
        (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"].map(hex)),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"].map(hex)),
        (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"].map(hex)),
    ]

    /// (old size, new size, proof).
    static let consistency: [(UInt64, UInt64, [[UInt8]])] = [
        (1, 1, []),
        (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"].map(hex)),
        (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"].map(hex)),
        (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"].map(hex)),
        (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"].map(hex)),
    ]

    static func hex(_ text: String) -> [UInt8] {
        stride(from: 0, to: text.count, by: 2).map { offset in
            let start = text.index(text.startIndex, offsetBy: offset)
            return UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    /// Complete subtrees of a list of leaf hashes, computed directly.
    static func subtrees(of leafHashes: [[UInt8]]) -> Merkle.SubtreeHash {
        { level, index in
            let width = 1 << level, start = Int(index) * width
            return referenceRoot(Array(leafHashes[start..<(start + width)]))
        }
    }
}

/// RFC 6962 section 2.1's MTH, written straight from its definition.
func referenceRoot(_ leafHashes: [[UInt8]]) -> [UInt8] {
    if leafHashes.isEmpty { return CTVectors.emptyRoot }
    if leafHashes.count == 1 { return leafHashes[0] }
    var k = 1
    while k * 2 < leafHashes.count { k *= 2 }
    return Merkle.nodeHash(referenceRoot(Array(leafHashes[..<k])), referenceRoot(Array(leafHashes[k...])))
}

struct MerkleVectorTests {
    let leafHashes = CTVectors.leaves.map { Merkle.leafHash($0) }

    @Test func rootsMatchTheCertificateTransparencyVectors() throws {
        #expect(try Merkle.root(size: 0, CTVectors.subtrees(of: leafHashes)) == CTVectors.emptyRoot)
        for size in 1...8 {
            #expect(try Merkle.root(size: UInt64(size), CTVectors.subtrees(of: leafHashes)) == CTVectors.roots[size - 1], "size \(size)")
        }
    }

    @Test func theFrontierGivesTheSameRootsLeafByLeaf() {
        var frontier = MerkleFrontier()
        #expect(frontier.root == CTVectors.emptyRoot)
        for (index, leaf) in leafHashes.enumerated() {
            frontier.append(leaf)
            #expect(frontier.root == CTVectors.roots[index], "size \(index + 1)")
        }
    }

    @Test func inclusionProofsMatchTheVectorsAndVerify() throws {
        for (index, size, expected) in CTVectors.inclusion {
            let proof = try Merkle.inclusionProof(index: index, size: size, CTVectors.subtrees(of: Array(leafHashes[..<Int(size)])))
            #expect(proof == expected, "leaf \(index) in \(size)")
            #expect(Merkle.verifyInclusion(index: index, size: size, leafHash: leafHashes[Int(index)], proof: expected, root: CTVectors.roots[Int(size) - 1]))
        }
    }

    @Test func consistencyProofsMatchTheVectorsAndVerify() throws {
        for (old, new, expected) in CTVectors.consistency {
            let proof = try Merkle.consistencyProof(oldSize: old, newSize: new, CTVectors.subtrees(of: Array(leafHashes[..<Int(new)])))
            #expect(proof == expected, "\(old) → \(new)")
            #expect(Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: CTVectors.roots[Int(old) - 1],
                                             newRoot: CTVectors.roots[Int(new) - 1], proof: expected))
        }
    }

    @Test func corruptedProofsAreRejected() {
        let (index, size, proof) = CTVectors.inclusion[0]
        let root = CTVectors.roots[Int(size) - 1], leaf = leafHashes[Int(index)]
        #expect(!Merkle.verifyInclusion(index: index + 1, size: size, leafHash: leaf, proof: proof, root: root))
        #expect(!Merkle.verifyInclusion(index: index, size: size * 2, leafHash: leaf, proof: proof, root: root))
        #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: proof + [root], root: root))
        #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: Array(proof.dropLast()), root: root))
        var flipped = proof
        flipped[1][0] ^= 8
        #expect(!Merkle.verifyInclusion(index: index, size: size, leafHash: leaf, proof: flipped, root: root))

        let (old, new, path) = CTVectors.consistency[2]
        let oldRoot = CTVectors.roots[Int(old) - 1], newRoot = CTVectors.roots[Int(new) - 1]
        #expect(!Merkle.verifyConsistency(oldSize: old - 1, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: path))
        #expect(!Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: newRoot, newRoot: oldRoot, proof: path))
        #expect(!Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: []))
        #expect(!Merkle.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: Array(path.dropLast())))
    }
}

struct LogTreeTests {
    /// Appends `count` events in batches of random sizes; returns the events' leaf hashes.
    private func fill(_ store: EventStore, count: Int, generator: inout some RandomNumberGenerator) async throws -> [[UInt8]] {
        var appended = 0
        while appended < count {
            let batch = min(Int.random(in: 1...40, using: &generator), count - appended)
            let events = (0..<batch).map { NewEvent(stream: "s-\(appended + $0)", ImageBuilt(image: "ghcr.io/x", tag: "t\(appended + $0)")) }
            _ = try await store.append(events)
            appended += batch
        }
        return try store.events().map { Merkle.leafHash($0.hash) }
    }

    @Test func theIncrementalTreeEqualsAFromScratchComputationAtRandomSizes() async throws {
        let ledger = TestLedger()
        let store = try ledger.open()
        var generator = SeededGenerator(seed: 6962)
        let leaves = try await fill(store, count: 700, generator: &generator)
        var sizes: [UInt64] = [0, 1, 15, 16, 17, 31, 32, 33, 255, 256, 257, 700]
        for _ in 0..<40 { sizes.append(UInt64.random(in: 0...700, using: &generator)) }
        for size in sizes {
            #expect(try store.treeHead(size: size).root == referenceRoot(Array(leaves[..<Int(size)])), "size \(size)")
        }
        for _ in 0..<40 {
            let size = UInt64.random(in: 1...700, using: &generator)
            let position = Int64.random(in: 1...Int64(size), using: &generator)
            let proof = try store.inclusionProof(position: position, treeSize: size)
            #expect(proof.root == referenceRoot(Array(leaves[..<Int(size)])))
            #expect(proof.leafHash == leaves[Int(position) - 1])
            #expect(Merkle.verifyInclusion(index: UInt64(position - 1), size: size, leafHash: leaves[Int(position) - 1], proof: proof.hashes, root: proof.root))

            let old = UInt64.random(in: 0...size, using: &generator)
            let consistency = try store.consistencyProof(from: old, to: size)
            #expect(consistency.oldRoot == referenceRoot(Array(leaves[..<Int(old)])))
            #expect(consistency.verifies, "\(old) → \(size)")
        }
    }

    @Test func anInclusionProofTakesLogarithmicallyFewHashes() async throws {
        let ledger = TestLedger()
        let store = try ledger.open()
        var generator = SeededGenerator(seed: 1)
        _ = try await fill(store, count: 1000, generator: &generator)
        let proof = try store.inclusionProof(position: 333)
        #expect(proof.hashes.count == 10)
        #expect(proof.verifies)
    }

    @Test func aLedgerWithoutItsTreeGetsItRebuiltOnOpening() async throws {
        let ledger = TestLedger()
        var generator = SeededGenerator(seed: 2)
        let leaves: [[UInt8]]
        do {
            let store = try ledger.open()
            leaves = try await fill(store, count: 100, generator: &generator)
            store.close()
        }
        let connection = try Connection(path: ledger.path, mode: .readWrite(create: false))
        try connection.execute("DELETE FROM merkle_nodes")
        let store = try ledger.open(.readWrite(create: false))
        #expect(try store.treeHead().root == referenceRoot(leaves))
        _ = try await store.append([NewEvent(stream: "after", ImageBuilt(image: "x", tag: "y"))])
        let all = try store.events().map { Merkle.leafHash($0.hash) }
        #expect(try store.treeHead().root == referenceRoot(all))
    }

    @Test func proofsOutsideTheLogAreRefusedWithAClearError() async throws {
        let ledger = TestLedger()
        let store = try ledger.open()
        _ = try await store.append([NewEvent(stream: "a", ImageBuilt(image: "x", tag: "y"))])
        #expect(throws: TransparencyError.outOfRange("no event at position 2 (the log has 1 events)")) { try store.inclusionProof(position: 2) }
        #expect(throws: TransparencyError.outOfRange("no event at position 0 (the log has 1 events)")) { try store.inclusionProof(position: 0) }
        #expect(throws: TransparencyError.outOfRange("tree size 5 is beyond the log (it has 1 events)")) { try store.treeHead(size: 5) }
        #expect(throws: TransparencyError.outOfRange("the old size 1 is larger than the new size 0")) { try store.consistencyProof(from: 1, to: 0) }
    }
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
