import ArgumentParser
import Ledger

struct Proof: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merkle proofs over the log (RFC 6962): that an event is in it, that it extends an older log.",
        subcommands: [Inclusion.self, Consistency.self]
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

        @Option(help: ArgumentHelp("The tree size to prove against (default: the whole log).", valueName: "N"))
        var size: UInt64?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let store = try global.openStore(.readOnly)
            let proof = try store.inclusionProof(position: position, treeSize: size)
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
        static let configuration = CommandConfiguration(abstract: "Proof that the log at new-size extends the log at old-size.")

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
}
