import ArgumentParser
import Foundation
import Ledger
import Reports

struct Proof: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merkle proofs over the log (RFC 6962).",
        discussion: "That an event is in the log, that the log extends an older one, and what a deployment recorded.",
        subcommands: [Inclusion.self, Consistency.self, Deployment.self]
    )
}

extension Proof {
    struct Inclusion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The audit path of the event at a position.",
            discussion: "Prints the leaf index, tree size, leaf hash, root and the path, hashes in hex, one per line after 'path'."
        )

        @OptionGroup var global: DatabaseOptions

        @Argument(help: "The event's position (from 1).")
        var position: Int64

        @Option(name: .customLong("tree-size"), help: ArgumentHelp("The tree size to prove against (default: the whole log).", valueName: "N"))
        var treeSize: UInt64?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let store = try global.openStore(.readOnly)
            let proof = try store.inclusionProof(position: position, treeSize: treeSize)
            if json {
                emit(#"{"position":\#(proof.position),"leaf_index":\#(proof.position - 1),"tree_size":\#(proof.treeSize),"event_hash":"\#(proof.eventHash.hexString)","leaf_hash":"\#(proof.leafHash.hexString)","root":"\#(proof.root.hexString)","path":[\#(proof.hashes.map { "\"\($0.hexString)\"" }.joined(separator: ","))]}"#)
                return
            }
            emit("""
                position \(proof.position) (leaf index \(proof.position - 1))
                tree size \(proof.treeSize)
                event hash \(proof.eventHash.hexString)
                leaf hash \(proof.leafHash.hexString)
                root \(proof.root.hexString)
                path \(proof.hashes.count)
                """ + proof.hashes.map { "\n" + $0.hexString }.joined())
        }
    }

    struct Consistency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Proof that the log extends an older one.",
            discussion: "That the log at new-size extends the log at old-size."
        )

        @OptionGroup var global: DatabaseOptions

        @Argument(help: "The older tree size.")
        var oldSize: UInt64

        @Argument(help: "The newer tree size (default: the whole log).")
        var newSize: UInt64?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let store = try global.openStore(.readOnly)
            let proof = try store.consistencyProof(from: oldSize, to: newSize)
            if json {
                emit(#"{"old_size":\#(proof.oldSize),"new_size":\#(proof.newSize),"old_root":"\#(proof.oldRoot.hexString)","new_root":"\#(proof.newRoot.hexString)","path":[\#(proof.hashes.map { "\"\($0.hexString)\"" }.joined(separator: ","))]}"#)
                return
            }
            emit("""
                old size \(proof.oldSize)
                new size \(proof.newSize)
                old root \(proof.oldRoot.hexString)
                new root \(proof.newRoot.hexString)
                path \(proof.hashes.count)
                """ + proof.hashes.map { "\n" + $0.hexString }.joined())
        }
    }

    struct Deployment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A deployment's receipt, to check offline.",
            discussion: "The receipt holds the deployment's events, their inclusion proofs and the signed checkpoint they lead to. Proves against the newest stored checkpoint that covers the deployment, or signs one with --key. `shiplog audit-verify --receipt FILE --public-key K` checks it offline."
        )

        @OptionGroup var global: DatabaseOptions

        @Argument(help: "The deployment's id (with or without its deployment- prefix).")
        var id: String

        @Option(help: ArgumentHelp("Sign a checkpoint of the whole log with this key (from `shiplog keys create`) and prove against it.", valueName: "file"))
        var key: String?

        @Option(help: ArgumentHelp("Write the receipt to this file instead of standard output.", valueName: "file"))
        var output: String?

        func run() async throws {
            let id = id.hasPrefix("deployment-") ? id : "deployment-\(id)"
            guard NameRule.isValid(id) else { throw ValidationError(NameRule.problem(id, what: "the deployment id")) }
            let signer = try key.map { try NoteSigner(keyText: try readText($0, what: "key")) }
            let store = try global.openStore(signer == nil ? .readOnly : .readWrite(create: false))
            guard let last = try store.events(EventFilter(stream: id)).last else { throw CommandFailure("no deployment '\(id)' in the ledger") }
            let note: String
            if let signer {
                note = try await store.signCheckpoint(origin: signer.name, signer: signer, time: Date())
            } else if let stored = try store.checkpoint(covering: last.position) {
                note = stored
            } else {
                throw CommandFailure("no stored checkpoint covers \(id) (position \(last.position)): pass --key to sign one")
            }
            let text = try DeploymentReceipt(deployment: id, store: store, checkpoint: note).jsonText()
            if let output {
                try writeAtomically(Data(text.utf8), to: output)
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}
