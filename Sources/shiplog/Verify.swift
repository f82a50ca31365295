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
            every stored checkpoint: keep checkpoints elsewhere too. Through a service (--server), the service runs the database's \
            checks and this command fetches every event and every stored checkpoint and recomputes the chain, the tree and each \
            checkpoint's root itself.
            """
    )

    @OptionGroup var global: DatabaseOptions
    @OptionGroup var service: ServiceOptions

    @Flag(help: "SQLite's quick_check instead of the full integrity_check (skips matching indexes to their tables).")
    var quick = false

    func run() async throws {
        let verdict: ServiceVerifier.Verdict
        if let client = try service.client(global) {
            verdict = try await ServiceVerifier(client: client).verify(quick: quick)
        } else {
            let verification = try global.openStore(.readOnly).verify(quick: quick)
            verdict = .init(count: verification.count, headHash: verification.headHash, checkpoints: verification.checkpoints,
                            failure: verification.failure.map { (position: $0.position, reason: $0.reason) })
        }
        if let failure = verdict.failure {
            complain("verification failed\(failure.position.map { " at position \($0)" } ?? ""): \(failure.reason)")
            throw ExitCode.failure
        }
        emit("intact: \(verdict.count) events, head position \(verdict.count), hash \(verdict.headHash.hexString), \(verdict.checkpoints) checkpoints held")
    }
}
