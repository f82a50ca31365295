import ArgumentParser
import Foundation
import Ledger

struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign the log's head as a C2SP checkpoint.",
        discussion: "Signs the tree size and root hash, stores the checkpoint and prints it. The note is the checkpoint text (origin, tree size, base64 root hash, time) and a signature line '— <key name> <base64(key ID ‖ signature)>'."
    )

    @OptionGroup var global: DatabaseOptions

    @Option(help: ArgumentHelp("The signing key (from `shiplog keys create`).", valueName: "file"))
    var key: String

    @Option(help: "The checkpoint's origin line (default: the key's name).")
    var origin: String?

    @Option(help: ArgumentHelp("Also write the checkpoint to this file.", valueName: "file"))
    var output: String?

    func run() async throws {
        let signer = try NoteSigner(keyText: try readText(key, what: "key"))
        let store = try global.openStore(.readWrite(create: false))
        let note = try await store.signCheckpoint(origin: origin ?? signer.name, signer: signer, time: Date())
        if let output { try writeAtomically(Data(note.utf8), to: output) }
        FileHandle.standardOutput.write(Data(note.utf8))
    }
}
