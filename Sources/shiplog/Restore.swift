import ArgumentParser
import Foundation
import Ledger
import Replication

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore the ledger from its S3 replica and verify it.",
        discussion: """
            Litestream restores the newest copy (or the one at --at) into a new file, which is then verified as `shiplog verify` \
            does and held to the checkpoints `serve --replicate` published beside the replica. It never overwrites a file. When \
            the replica ends before the largest published checkpoint, the restored ledger is kept but the command says how many \
            acknowledged events are missing, up to which position, and exits 1.
            """
    )

    @Option(help: ArgumentHelp("The replica (s3://BUCKET/PATH, as given to `serve --replicate`).", valueName: "url"))
    var from: String

    @Option(help: ArgumentHelp("The new ledger file (else --db's, env SHIPLOG_DB's, else shiplog.sqlite); it must not exist.", valueName: "file"))
    var to: String?

    @Option(help: ArgumentHelp("Restore the ledger as it was at this time (ISO 8601, e.g. 2026-11-29T14:00:00Z).", valueName: "time"))
    var at: String?

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        _ = try ReplicaLocation(from)
        if let at, Self.time(at) == nil { throw ValidationError("--at must be an ISO 8601 time such as 2026-11-29T14:00:00Z, not '\(at)'") }
    }

    private static func time(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    func run() async throws {
        let destination = to ?? database.path(configuration: nil)
        let location = try ReplicaLocation(from)
        let restore = ReplicaRestore(location: location, litestream: try Litestream.locate())
        let outcome = try await restore.run(to: destination, at: at.flatMap(Self.time))
        emit("restored \(destination) from \(location): intact, \(outcome.head) events, head position \(outcome.head), \(outcome.checkpoints) checkpoints held")
        if let missing = outcome.shortfall {
            complain("""
                restore incomplete: a checkpoint of size \(missing.size) was published\(missing.time.map { " at \($0)" } ?? ""), \
                but the replica ends at position \(outcome.head): \(Int64(missing.size) - outcome.head) acknowledged events \
                (positions \(outcome.head + 1) to \(missing.size)) are not in it
                """)
            throw ExitCode.failure
        }
    }
}
