import ArgumentParser
import Foundation
import Ledger

struct Tiles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The log as C2SP tlog-tiles files.",
        discussion: "Files for a static host or a bucket, laid out as `shiplog serve` serves them under /tlog/.",
        subcommands: [Export.self]
    )
}

extension Tiles {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a checkpoint and its tree's tiles under DIR.",
            discussion: """
            DIR/checkpoint is the signed checkpoint; DIR/tile/<L>/<N>[.p/<W>] the hash tiles and DIR/tile/entries/<N>[.p/<W>] the entry bundles of the tree it signs (https://c2sp.org/tlog-tiles). \
            With --key a checkpoint of the whole log is signed and stored first, as `shiplog checkpoint` does; without, the latest stored checkpoint is exported. \
            Full tiles already in DIR are left as they are (they never change); the checkpoint is written last, so a reader never sees one whose tiles are missing.
            """
        )

        @OptionGroup var global: DatabaseOptions

        @Argument(help: ArgumentHelp("The directory to write into (created when missing).", valueName: "dir"))
        var directory: String

        @Option(help: ArgumentHelp("Sign a checkpoint of the whole log with this key (from `shiplog keys create`) first.", valueName: "file"))
        var key: String?

        @Option(help: "With --key: the checkpoint's origin line (default: the key's name).")
        var origin: String?

        func validate() throws {
            if origin != nil, key == nil { throw ValidationError("--origin needs --key: only a checkpoint signed now gets an origin") }
        }

        func run() async throws {
            let note: String
            if let key {
                let signer = try NoteSigner(keyText: try readText(key, what: "key"))
                let store = try global.openStore(.readWrite(create: false))
                note = try await store.signCheckpoint(origin: origin ?? signer.name, signer: signer, time: Date())
                try export(note, from: store)
            } else {
                let store = try global.openStore(.readOnly)
                guard let stored = try store.latestCheckpoint() else {
                    throw CommandFailure("the ledger has no signed checkpoint: give --key, or run `shiplog checkpoint --key K` first")
                }
                note = stored
                try export(note, from: store)
            }
        }

        private func export(_ note: String, from store: EventStore) throws {
            let size = try CheckpointFile.size(of: note)
            let root = URL(fileURLWithPath: directory)
            var written = 0
            for tile in TlogTile.tiles(forTreeOf: size) {
                let path = root.appending(path: tile.path).path
                if tile.isFull, FileManager.default.fileExists(atPath: path) { continue }
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try writeAtomically(try store.tileData(tile), to: path)
                written += 1
            }
            try writeAtomically(Data(note.utf8), to: root.appending(path: "checkpoint").path)
            emit("exported the checkpoint of size \(size) and \(written) tiles to \(directory)")
        }
    }
}
