import Foundation

extension Spool {
    /// What one flush did.
    struct Flushed {
        var sent = 0
        var deduplicated = 0
        var rejected = 0
        /// Records still spooled because the flush stopped.
        var left = 0
        /// Why the flush stopped before the end: the service is unreachable, refused the
        /// credential, is not a shiplog service, or the spool holds another service's records.
        var stop: ServiceError?
    }

    /// What happened to one spooled record.
    enum Outcome {
        case recorded(SpooledRecord, ServiceClient.Appended)
        case rejected(key: String, status: Int?, reason: String)
    }

    /// Sends what is spooled, in order, each with its own idempotency key; each record counts as
    /// sent only once the service answered it. Call it holding ``exclusively(_:)``.
    ///
    /// A record the service refuses for what it is (a 4xx other than 401, 408 and 429: an event
    /// the credential may not record, an expected version no longer true, a key reused with other
    /// content) would be refused again forever: it moves to `PATH.rejected` and the flush goes on.
    /// A refused credential (401), a busy or failing service (408, 429, 5xx) or one that cannot be
    /// reached stops the flush with everything from that record on still spooled.
    func flush(through client: ServiceClient, each: (Outcome) -> Void = { _ in }) async throws -> Flushed {
        let records = try pending()
        var flushed = Flushed()
        for (index, (line, end)) in records.enumerated() {
            guard let record = try? SpooledRecord(line: line) else {
                try reject(line, status: nil, reason: "not a spooled record")
                try markSent(through: end)
                flushed.rejected += 1
                each(.rejected(key: "?", status: nil, reason: "line is not a spooled record"))
                continue
            }
            guard record.server == client.baseURL else {
                flushed.left = records.count - index
                flushed.stop = .invalid("\(path) holds records for \(record.server); send them with `shiplog flush --server \(record.server)`")
                return flushed
            }
            do {
                let appended = try await client.append(body: Data(record.body.utf8), idempotencyKey: record.idempotencyKey)
                try markSent(through: end)
                flushed.sent += 1
                if appended.deduplicated { flushed.deduplicated += 1 }
                each(.recorded(record, appended))
            } catch let error as ServiceError {
                if case .refused(let status, let message) = error, (400..<500).contains(status), ![401, 408, 429].contains(status) {
                    try reject(line, status: status, reason: message)
                    try markSent(through: end)
                    flushed.rejected += 1
                    each(.rejected(key: record.idempotencyKey, status: status, reason: message))
                    continue
                }
                flushed.left = records.count - index
                flushed.stop = error
                return flushed
            }
        }
        removeIfSent()
        return flushed
    }

    /// Sends `record` after whatever is spooled before it; when the service cannot be reached
    /// (now, or for the records ahead of it) the record joins the spool and `nil` is returned.
    ///
    /// - Parameter requireLedger: an unreachable service is an error instead, and nothing is spooled.
    func send(_ record: SpooledRecord, through client: ServiceClient, requireLedger: Bool) async throws -> ServiceClient.Appended? {
        try await exclusively {
            let ahead = try await flush(through: client, each: report)
            summarise(ahead)
            if let stop = ahead.stop {
                guard stop.isUnreachable, !requireLedger else {
                    throw stop.isUnreachable ? ServiceError.unreachable("\(stop); \(ahead.left) earlier records wait in \(path); nothing written") : stop
                }
                try add(record)
                warnSpooled(record, because: stop)
                return nil
            }
            do {
                return try await client.append(body: Data(record.body.utf8), idempotencyKey: record.idempotencyKey)
            } catch let error as ServiceError where error.isUnreachable && !requireLedger {
                try add(record)
                warnSpooled(record, because: error)
                return nil
            }
        }
    }

    /// Before a command talks to the service: sends what an earlier command spooled, so what it
    /// reads or records comes after. An unreachable service leaves the spool as it is; the
    /// command then meets the outage itself.
    func flushFirst(through client: ServiceClient) async throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try await exclusively {
            let flushed = try await flush(through: client, each: report)
            summarise(flushed)
            if let stop = flushed.stop, !stop.isUnreachable { complain("warning: \(flushed.left) records stay spooled in \(path): \(stop)") }
        }
    }

    /// One line on standard error for a record the service refused while the spool was flushed
    /// on the way to another command.
    func report(_ outcome: Outcome) {
        if case .rejected(let key, let status, let reason) = outcome {
            complain("error: the service refused spooled record \(key): \(reason)\(status.map { " (HTTP \($0))" } ?? ""); kept in \(rejectedPath)")
        }
    }

    private func summarise(_ flushed: Flushed) {
        if flushed.sent > 0 { complain("sent \(flushed.sent) spooled records from \(path)") }
    }

    private func warnSpooled(_ record: SpooledRecord, because error: ServiceError) {
        complain("warning: \(error); spooled \(record.events) events to \(path) (idempotency key \(record.idempotencyKey)): `shiplog flush` sends them")
    }
}
