import ArgumentParser
import Ledger

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute the hash chain over the whole log.",
        discussion: "Exits 0 and prints the head position and hash when intact; exits 1 and names the first bad position when not."
    )

    @OptionGroup var global: DatabaseOptions

    func run() async throws {
        let store = try global.openStore(.readOnly)
        let verification = try store.verify()
        if let failure = verification.failure {
            complain("verification failed at position \(failure.position): \(failure.reason)")
            throw ExitCode.failure
        }
        emit("intact: \(verification.count) events, head position \(verification.count), hash \(verification.headHash.hexString)")
    }
}
