import ArgumentParser
import Foundation
import Ledger

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ed25519 keys for signing checkpoints.",
        subcommands: [Create.self]
    )
}

extension Keys {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a signing key and its verifier key.",
            discussion: "Writes <name>.key (private, mode 0600) and <name>.pub (the verifier key auditors get). Both use the signed-note encodings (PRIVATE+KEY+<name>+<id>+<key>, <name>+<id>+<key>). Existing files are never overwritten."
        )

        @Option(help: ArgumentHelp("The directory to write the key files in.", valueName: "dir"))
        var out: String = "."

        @Option(help: "The key's name, which signature lines carry (no spaces or '+').")
        var name: String = "shiplog"

        func run() async throws {
            let signer = try NoteSigner(generatingKeyNamed: name)
            let directory = URL(fileURLWithPath: out)
            let privatePath = directory.appending(path: "\(name).key").path
            let publicPath = directory.appending(path: "\(name).pub").path
            for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
                throw CommandFailure("\(path) already exists; not overwriting a key")
            }
            try KeyFile.create(privatePath, contents: signer.keyText + "\n", mode: 0o600)
            do {
                try KeyFile.create(publicPath, contents: signer.verifier.keyText + "\n", mode: 0o644)
            } catch {
                try? FileManager.default.removeItem(atPath: privatePath)
                throw error
            }
            emit("private key \(privatePath) (mode 0600)")
            emit("public key  \(publicPath): \(signer.verifier.keyText)")
        }
    }
}
