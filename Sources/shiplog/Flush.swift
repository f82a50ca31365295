import ArgumentParser
import Foundation
import Ledger

struct Flush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send the appends spooled while the service could not be reached.",
        discussion: """
            Sends each spooled record to the service, in the order they were spooled, under the idempotency key it was \
            given when it was made, so a record is in the ledger exactly once however often a flush is retried or \
            interrupted. Prints one JSON line per record sent ({"idempotency_key", "positions", "deduplicated"}). A \
            record the service refuses for what it is (HTTP 4xx other than 401, 408 and 429) is moved to PATH.rejected \
            with the reason and the flush goes on; an unreachable service, a refused credential or a failing service \
            stops it with the rest still spooled. Exits 0 when the spool was emptied, 1 otherwise. Every command that \
            works through the service flushes first, so the order is kept.
            """
    )

    @OptionGroup var service: ServiceOptions

    func run() async throws {
        guard let client = try service.client() else {
            throw CommandFailure("flush sends the spool to a service: give --server (or SHIPLOG_URL)")
        }
        let spool = try service.spool(for: client)
        let flushed = try await spool.exclusively {
            try await spool.flush(through: client) { outcome in
                switch outcome {
                case .recorded(let record, let appended):
                    emit(Self.line(record, appended))
                case .rejected:
                    spool.report(outcome)
                }
            }
        }
        if let stop = flushed.stop {
            throw CommandFailure("\(stop); \(flushed.left) records stay spooled in \(spool.path)")
        }
        if flushed.sent + flushed.rejected == 0 {
            complain("nothing spooled in \(spool.path)")
        } else {
            complain("sent \(flushed.sent) spooled records to \(client.baseURL) (\(flushed.deduplicated) were already recorded)")
        }
        if flushed.rejected > 0 { throw ExitCode(1) }
    }

    private static func line(_ record: SpooledRecord, _ appended: ServiceClient.Appended) -> String {
        let positions = appended.events.map { String($0.position) }.joined(separator: ",")
        return "{\"idempotency_key\":\(record.idempotencyKey.jsonQuoted),\"positions\":[\(positions)],\"deduplicated\":\(appended.deduplicated)}"
    }
}
