import Foundation
import Ledger
import Testing

struct TlogTilePathTests {
    @Test(arguments: [
        ("tile/0/000", TlogTile(.hashes(level: 0), index: 0)),
        ("tile/0/x001/x234/067", TlogTile(.hashes(level: 0), index: 1_234_067)),
        ("tile/2/999", TlogTile(.hashes(level: 2), index: 999)),
        ("tile/1/x001/000.p/1", TlogTile(.hashes(level: 1), index: 1000, width: 1)),
        ("tile/entries/005.p/255", TlogTile(.entries, index: 5, width: 255)),
        ("tile/entries/x018/x446/x744/x073/x709/551", TlogTile(.entries, index: 18_446_744_073_709_551)),
    ])
    func aPathReadsAsTheTileThatWritesIt(path: String, tile: TlogTile) throws {
        #expect(try TlogTile(path: path) == tile)
        #expect(tile.path == path)
    }

    @Test(arguments: [
        "tile/0/1234", "tile/0/12", "tile/0/x001", "tile/0/x000/005", "tile/0/001/234", "tile/0/00a",
        "tile/8/000", "tile/00/000", "tile/-1/000", "tile/data/000", "tile/0/", "tile/0", "tiles/0/000",
        "tile/0/005.p/0", "tile/0/005.p/256", "tile/0/005.p/07", "tile/0/005.p/", "tile/0/005.p", "tile/0/005.q/3",
        "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
    ])
    func aPathThatIsNotOneTilesShortestFormIsMalformed(path: String) {
        #expect(throws: TransparencyError.self) { try TlogTile(path: path) }
        #expect((try? TlogTile(path: path)) == nil)
    }

    @Test func aTreeNeedsItsFullTilesAndOnePartialTileWhereALevelDoesNotEndOnABoundary() {
        #expect(TlogTile.tiles(forTreeOf: 0) == [])
        #expect(TlogTile.tiles(forTreeOf: 300).map(\.path) == [
            "tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1", "tile/entries/000", "tile/entries/001.p/44",
        ])
        #expect(TlogTile.tiles(forTreeOf: 512).map(\.path) == [
            "tile/0/000", "tile/0/001", "tile/1/000.p/2", "tile/entries/000", "tile/entries/001",
        ])
        #expect(TlogTile.tiles(forTreeOf: 65_537).filter { $0.kind != .hashes(level: 0) && $0.kind != .entries }.map(\.path) == [
            "tile/1/000", "tile/2/000.p/1",
        ])
    }

    @Test func aTileExistsWhenTheTreeHoldsAllOfItAndAPartialTileStaysAsTheTreeGrows() {
        let partial = TlogTile(.hashes(level: 0), index: 1, width: 44)
        #expect(!partial.exists(inTreeOf: 299))
        #expect(partial.exists(inTreeOf: 300))
        #expect(partial.exists(inTreeOf: 100_000))
        #expect(!TlogTile(.hashes(level: 0), index: 1).exists(inTreeOf: 511))
        #expect(TlogTile(.hashes(level: 0), index: 1).exists(inTreeOf: 512))
        #expect(!TlogTile(.hashes(level: 1), index: 0, width: 2).exists(inTreeOf: 511))
        #expect(!TlogTile(.entries, index: UInt64.max / 256).exists(inTreeOf: UInt64.max))
    }
}

struct TlogTileContentTests {
    /// Appends `count` events to `store`, in batches.
    private static func fill(_ store: EventStore, _ count: Int) async throws -> EventStore {
        for start in stride(from: 0, to: count, by: 100) {
            _ = try await store.append((start..<min(count, start + 100)).map { requested("t\($0)") })
        }
        return store
    }

    private static func hashes(_ data: [UInt8]) -> [Merkle.Hash] {
        stride(from: 0, to: data.count, by: 32).map { Array(data[$0..<$0 + 32]) }
    }

    /// The root of a complete subtree from its leaves' (or nodes') hashes.
    private static func reduce(_ level: [Merkle.Hash]) -> Merkle.Hash {
        var level = level
        while level.count > 1 { level = stride(from: 0, to: level.count, by: 2).map { Merkle.nodeHash(level[$0], level[$0 + 1]) } }
        return level[0]
    }

    @Test func aLevelZeroTileHoldsTheLeafHashesOfTheEventsAndALevelOneTileTheRootsOf256Leaves() async throws {
        let ledger = TestLedger()
        let store = try await Self.fill(ledger.open(), 300)
        let events = try store.events()
        let full = Self.hashes(try store.tileData(TlogTile(.hashes(level: 0), index: 0)))
        #expect(full == events.prefix(256).map { Merkle.leafHash($0.hash) })
        let partial = Self.hashes(try store.tileData(TlogTile(.hashes(level: 0), index: 1, width: 44)))
        #expect(partial == events[256..<300].map { Merkle.leafHash($0.hash) })
        let upper = try store.tileData(TlogTile(.hashes(level: 1), index: 0, width: 1))
        #expect(upper == Self.reduce(full))
        #expect(upper == (try store.treeHead(size: 256)).root)
    }

    @Test func anEntryBundleHoldsEachEventsHashPrefixedByItsLength() async throws {
        let ledger = TestLedger()
        let store = try await Self.fill(ledger.open(), 260)
        let events = try store.events()
        #expect(try store.tileData(TlogTile(.entries, index: 1, width: 4)) == events[256..<260].flatMap { [0, 32] + $0.hash })
        #expect(try store.tileData(TlogTile(.entries, index: 0)).count == 256 * 34)
    }

    @Test func aTileBeyondTheTreeOrWiderThanItIsOutOfRange() async throws {
        let ledger = TestLedger()
        let store = try await Self.fill(ledger.open(), 300)
        for tile in [
            TlogTile(.hashes(level: 0), index: 1), TlogTile(.hashes(level: 0), index: 1, width: 45),
            TlogTile(.hashes(level: 1), index: 0, width: 2), TlogTile(.hashes(level: 2), index: 0, width: 1),
            TlogTile(.entries, index: 2, width: 1),
        ] {
            #expect(throws: TransparencyError.self, "\(tile.path)") { try store.tileData(tile) }
            #expect((try? store.tileData(tile)) == nil, "\(tile.path)")
        }
        #expect(try store.tileData(TlogTile(.hashes(level: 0), index: 1, width: 44)).count == 44 * 32)
    }
}
