import ArgumentParser
import Ledger

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the ledger against its hashes and checkpoints.",
        discussion: """
            Runs SQLite's integrity check, recomputes the hash chain, checks the columns derived from hashed content (the actor), \
            recomputes the Merkle tree against the stored nodes, and holds the log to every stored checkpoint: a checkpoint larger \
            than the log is a truncation, a root that differs names the checkpoint. Exits 0 and prints the head when intact; \
            exits 1 and names the first thing that does not match when not. It cannot catch an operator who rewrote the log and \
            every stored checkpoint: keep checkpoints elsewhere too.
            """
    )

    @OptionGroup var global: DatabaseOptions

    @Flag(help: "SQLite's quick_check instead of the full integrity_check (skips matching indexes to their tables).")
    var quick = false

    func run() async throws {
        let store = try global.openStore(.readOnly)
        let verification = try store.verify(quick: quick)
        if let failure = verification.failure {
            complain("verification failed\(failure.position.map { " at position \($0)" } ?? ""): \(failure.reason)")
            throw ExitCode.failure
        }
        emit("intact: \(verification.count) events, head position \(verification.count), hash \(verification.headHash.hexString), \(verification.checkpoints) checkpoints held")
    }
}
