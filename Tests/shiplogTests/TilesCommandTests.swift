import Foundation
import Ledger
import TestSupport
import Testing

struct TilesCommandTests {
    let cli = CLI()

    /// A ledger of `count` events and a signing key; returns the key's path.
    private func seed(_ count: Int) async throws -> String {
        #expect(try await cli.run("init").status == 0)
        let lines = (1...count).map { String.requested($0) }.joined(separator: "\n")
        let appended = try await cli.run("events", "append", "--actor", "ana-maintainer", input: lines)
        #expect(appended.status == 0, "\(appended.stderr)")
        #expect(try await cli.run("keys", "create", "--out", cli.directory.path(""), "--name", "tiles.test", useDatabase: false).status == 0)
        return cli.directory.path("tiles.test.key")
    }

    @Test func exportWritesTheCheckpointAndEveryTileOfItsTreeAsTheStoreHoldsThem() async throws {
        let key = try await seed(260)
        let out = cli.directory.path("public")
        let exported = try await cli.run("tiles", "export", out, "--key", key)
        #expect(exported.status == 0, "\(exported.stderr)")

        let store = try EventStore(path: cli.database, access: .readOnly)
        let note = try #require(try store.latestCheckpoint())
        #expect(try String(contentsOfFile: out + "/checkpoint", encoding: .utf8) == note)
        let size = UInt64(try #require(try store.head()).position)
        let files = try FileManager.default.subpathsOfDirectory(atPath: out + "/tile").filter { !FileManager.default.isDirectory(out + "/tile/" + $0) }
        #expect(Set(files.map { "tile/" + $0 }) == Set(TlogTile.tiles(forTreeOf: size).map(\.path)))
        for tile in TlogTile.tiles(forTreeOf: size) {
            let expected = Data(try store.tileData(tile))
            #expect(FileManager.default.contents(atPath: out + "/" + tile.path) == expected, "\(tile.path)")
        }
    }

    @Test func exportWithoutAKeyTakesTheStoredCheckpointAndRefusesWhenThereIsNone() async throws {
        let key = try await seed(3)
        let out = cli.directory.path("public")
        let refused = try await cli.run("tiles", "export", out)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("no signed checkpoint"), "\(refused.stderr)")

        let signed = try await cli.run("checkpoint", "--key", key)
        #expect(signed.status == 0)
        #expect(try await cli.run("events", "append", "--actor", "ana-maintainer", input: String.requested(99)).status == 0)
        let exported = try await cli.run("tiles", "export", out)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(try String(contentsOfFile: out + "/checkpoint", encoding: .utf8) == signed.stdout)
        // The checkpoint's tree, not the log that grew after it.
        let size = try #require(Int(signed.stdout.split(separator: "\n")[1]))
        #expect(FileManager.default.fileExists(atPath: out + "/tile/entries/000.p/\(size)"))
        #expect(!FileManager.default.fileExists(atPath: out + "/tile/entries/000.p/\(size + 1)"))
    }
}

extension FileManager {
    fileprivate func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
