import ArgumentParser
import Foundation
import Ledger
import NIOHTTP1
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
        @OptionGroup var service: ServiceOptions

        @Argument(help: "The event's position (from 1).")
        var position: Int64

        @Option(name: .customLong("tree-size"), help: ArgumentHelp("The tree size to prove against (default: the whole log).", valueName: "N"))
        var treeSize: UInt64?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            if let client = try service.client(global) {
                let proof: InclusionText = try await client.proof("/api/v1/proofs/inclusion", query: [
                    ("position", String(position)), ("tree_size", treeSize.map(String.init)),
                ])
                guard proof.holds else { throw CommandFailure("the service's inclusion proof of position \(position) does not lead to the root it names") }
                return show(proof)
            }
            let proof = try global.openStore(.readOnly).inclusionProof(position: position, treeSize: treeSize)
            show(InclusionText(
                position: proof.position, treeSize: proof.treeSize, eventHash: proof.eventHash.hexString, leafHash: proof.leafHash.hexString,
                root: proof.root.hexString, path: proof.hashes.map(\.hexString)))
        }

        /// The proof as both paths print it: the service's hex is what the local proof's hashes print as.
        struct InclusionText: Decodable {
            var position: Int64
            var treeSize: UInt64
            var eventHash: String
            var leafHash: String
            var root: String
            var path: [String]

            /// The event's leaf hashes up the path to the root, as an auditor checks it.
            var holds: Bool {
                let path = path.compactMap { [UInt8](hex: $0) }
                guard position >= 1, let event = [UInt8](hex: eventHash), let leaf = [UInt8](hex: leafHash), let root = [UInt8](hex: root),
                      path.count == self.path.count, Merkle.leafHash(event) == leaf else { return false }
                return Merkle.verifyInclusion(index: UInt64(position - 1), size: treeSize, leafHash: leaf, proof: path, root: root)
            }
        }

        private func show(_ proof: InclusionText) {
            if json {
                emit(#"{"position":\#(proof.position),"leaf_index":\#(proof.position - 1),"tree_size":\#(proof.treeSize),"event_hash":"\#(proof.eventHash)","leaf_hash":"\#(proof.leafHash)","root":"\#(proof.root)","path":[\#(proof.path.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
                return
            }
            emit("""
                position \(proof.position) (leaf index \(proof.position - 1))
                tree size \(proof.treeSize)
                event hash \(proof.eventHash)
                leaf hash \(proof.leafHash)
                root \(proof.root)
                path \(proof.path.count)
                """ + proof.path.map { "\n" + $0 }.joined())
        }
    }

    struct Consistency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Proof that the log extends an older one.",
            discussion: "That the log at new-size extends the log at old-size."
        )

        @OptionGroup var global: DatabaseOptions
        @OptionGroup var service: ServiceOptions

        @Argument(help: "The older tree size.")
        var oldSize: UInt64

        @Argument(help: "The newer tree size (default: the whole log).")
        var newSize: UInt64?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            if let client = try service.client(global) {
                let proof: ConsistencyText = try await client.proof("/api/v1/proofs/consistency", query: [
                    ("from", String(oldSize)), ("to", newSize.map(String.init)),
                ])
                guard proof.holds else { throw CommandFailure("the service's consistency proof from size \(oldSize) does not lead to the roots it names") }
                return show(proof)
            }
            let proof = try global.openStore(.readOnly).consistencyProof(from: oldSize, to: newSize)
            show(ConsistencyText(
                oldSize: proof.oldSize, newSize: proof.newSize, oldRoot: proof.oldRoot.hexString, newRoot: proof.newRoot.hexString,
                path: proof.hashes.map(\.hexString)))
        }

        /// The proof as both paths print it.
        struct ConsistencyText: Decodable {
            var oldSize: UInt64
            var newSize: UInt64
            var oldRoot: String
            var newRoot: String
            var path: [String]

            /// The older root and the newer one follow from the path, as an auditor checks it.
            var holds: Bool {
                let path = path.compactMap { [UInt8](hex: $0) }
                guard let oldRoot = [UInt8](hex: oldRoot), let newRoot = [UInt8](hex: newRoot), path.count == self.path.count else { return false }
                return Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: path)
            }
        }

        private func show(_ proof: ConsistencyText) {
            if json {
                emit(#"{"old_size":\#(proof.oldSize),"new_size":\#(proof.newSize),"old_root":"\#(proof.oldRoot)","new_root":"\#(proof.newRoot)","path":[\#(proof.path.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
                return
            }
            emit("""
                old size \(proof.oldSize)
                new size \(proof.newSize)
                old root \(proof.oldRoot)
                new root \(proof.newRoot)
                path \(proof.path.count)
                """ + proof.path.map { "\n" + $0 }.joined())
        }
    }

    struct Deployment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A deployment's receipt, to check offline.",
            discussion: "The receipt holds the deployment's events, their inclusion proofs and the signed checkpoint they lead to. Proves against the newest stored checkpoint that covers the deployment, or signs one with --key. `shiplog audit-verify --receipt FILE --public-key K` checks it offline."
        )

        @OptionGroup var global: DatabaseOptions
        @OptionGroup var service: ServiceOptions

        @Argument(help: "The deployment's id (with or without its deployment- prefix).")
        var id: String

        @Option(help: ArgumentHelp("Sign a checkpoint of the whole log with this key (from `shiplog keys create`) and prove against it.", valueName: "file"))
        var key: String?

        @Option(help: ArgumentHelp("Write the receipt to this file instead of standard output.", valueName: "file"))
        var output: String?

        func run() async throws {
            let id = id.hasPrefix("deployment-") ? id : "deployment-\(id)"
            guard NameRule.isValid(id) else { throw ValidationError(NameRule.problem(id, what: "the deployment id")) }
            if let client = try service.client(global) { return try await receipt(id, through: client) }
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
            try write(Data(try DeploymentReceipt(deployment: id, store: store, checkpoint: note).jsonText().utf8))
        }

        /// The receipt the service proves, against its newest stored checkpoint that covers the
        /// deployment or one it signs now with its own key.
        private func receipt(_ id: String, through client: ServiceClient) async throws {
            if key != nil { throw CommandFailure("--key signs on a local ledger; a service signs with its own key (shiplog serve --signing-key)") }
            do {
                try write(try await client.send(.GET, "/api/v1/deployments/\(id)/receipt").body)
            } catch ServiceError.refused(let status, _) where status == 404 {
                throw CommandFailure("no deployment '\(id)' in the ledger")
            }
        }

        private func write(_ receipt: Data) throws {
            if let output {
                try writeAtomically(receipt, to: output)
            } else {
                FileHandle.standardOutput.write(receipt)
            }
        }
    }
}
