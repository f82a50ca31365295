import Foundation
import Ledger

/// Builds a ``Report`` from one consistent snapshot of the ledger.
public enum ReportBuilder {
    /// The whole report, its events in memory (tests and small ledgers; exports use ``read(_:from:_:)``).
    public static func build(_ request: ReportRequest, from store: EventStore) throws -> Report {
        try read(request, from: store) { head, events in
            var report = head
            try events { report.evidence.events.append($0) }
            return report
        }
    }

    /// Makes the report of `request` from one snapshot and calls `body` with all
    /// of it but the events — the deployments, the measures, the checkpoint and
    /// the tree before the events — and with the events, read from that same
    /// snapshot one at a time as `body` asks for them.
    ///
    /// - Throws: ``ReportError`` or ``TransparencyError`` for what cannot be made as
    ///   asked, before `body` is called.
    public static func read<T>(_ request: ReportRequest, from store: EventStore, _ body: (Report, EvidenceEvents) throws -> T) throws -> T {
        let generatedAt = Timestamp.string(from: request.generatedAt)
        return try store.snapshot(streaming: true) { snapshot in
            // Oldest first, straight into the report's form: the ledger's records are never all held.
            var deployments: [ReportDeployment] = []
            try snapshot.forEachDeployment(DeploymentFilter(
                app: request.app, environment: request.environment, since: request.since, until: request.until, limit: .max)) {
                deployments.append(ReportDeployment($0))
            }
            let head = try snapshot.treeHead()
            let first = request.includesEvents ? deployments.map(\.position).min() ?? Int64(head.size) + 1 : Int64(head.size) + 1
            let prefix = try snapshot.frontier(size: UInt64(first - 1)).nodes.map(\.hash.hexString)
            let checkpoint = try embeddedCheckpoint(request, head: head, stored: try snapshot.latestCheckpoint())
            var report = Report(
                schema: Report.currentSchema, generatedAt: generatedAt,
                period: period(request, deployments: deployments, generatedAt: generatedAt),
                checkpoint: checkpoint, deployments: deployments, dora: [], doraByWeek: [],
                evidence: Report.Evidence(firstPosition: first, prefix: prefix, events: [], consistency: nil))
            // A period of centuries (an `until` far in the future) would be a weekly series of thousands of rows.
            guard report.period.days <= Double(ReportError.maximumDays) else { throw ReportError.periodTooLong(days: report.period.days) }
            if let old = request.previousSize {
                guard old <= report.checkpoint.treeSize else {
                    throw TransparencyError.outOfRange("the previous checkpoint's size \(old) is beyond this export's tree size \(report.checkpoint.treeSize)")
                }
                // Another reader: the log only grows, so its tree up to this size is the snapshot's.
                let proof = try store.consistencyProof(from: old, to: report.checkpoint.treeSize)
                report.evidence.consistency = Report.EmbeddedConsistency(oldSize: old, proof: proof.hashes.map(\.hexString))
            }
            report.computeMeasures()
            return try body(report) { visit in
                guard first <= Int64(head.size) else { return }
                try snapshot.forEachEvent(from: first) { try visit(EvidenceEvent($0)) }
            }
        }
    }

    /// The span the frequency is measured over: `since` (else the day of the
    /// first deployment) to `until` (else the report's time), at least one day.
    static func period(_ request: ReportRequest, deployments: [ReportDeployment], generatedAt: String) -> Report.Period {
        let day: Int64 = 86_400 * 1_000_000
        let firstDay = deployments.first.flatMap { ExactTime.microseconds($0.startedAt) }.map { $0 - $0 % day }
        let start = request.since.flatMap(ExactTime.microseconds) ?? firstDay ?? ExactTime.microseconds(generatedAt).map { $0 - $0 % day } ?? 0
        let end = max(request.until.flatMap(ExactTime.microseconds) ?? ExactTime.microseconds(generatedAt) ?? start, start)
        return Report.Period(
            since: request.since, until: request.until, app: request.app, environment: request.environment,
            start: ReportClock.text(microseconds: start), end: ReportClock.text(microseconds: end),
            days: DORACalculator.rounded(max(Double(end - start) / Double(day), 1)))
    }

    private static func embeddedCheckpoint(_ request: ReportRequest, head: TreeHead, stored: (size: UInt64, note: String)?) throws -> Report.EmbeddedCheckpoint {
        let origin = request.origin ?? request.signer?.name ?? "shiplog"
        let time = String(Timestamp.string(from: request.generatedAt).prefix(19)) + "Z"
        let body = Checkpoint(origin: origin, size: head.size, root: head.root, time: time).body
        if let signer = request.signer {
            return .init(origin: origin, treeSize: head.size, rootHash: head.root.hexString, note: try signer.sign(body), signed: true)
        }
        if let stored, stored.size == head.size, let split = stored.note.range(of: "\n\n", options: .backwards),
           let checkpoint = try? Checkpoint(body: String(stored.note[..<split.lowerBound]) + "\n") {
            return .init(origin: checkpoint.origin, treeSize: head.size, rootHash: head.root.hexString, note: stored.note, signed: true)
        }
        return .init(origin: origin, treeSize: head.size, rootHash: head.root.hexString, note: body, signed: false)
    }
}

extension Report {
    /// Fills ``dora`` and ``doraByWeek`` from ``deployments`` and ``period``.
    mutating func computeMeasures() {
        dora = DORACalculator.measures(deployments, days: period.days)
        doraByWeek = DORACalculator.weekly(
            deployments, start: ExactTime.microseconds(period.start) ?? 0, end: ExactTime.microseconds(period.end) ?? 0)
    }
}

/// Timestamps a report writes.
enum ReportClock {
    static func text(microseconds: Int64) -> String {
        Timestamp.string(from: Date(timeIntervalSince1970: Double(microseconds) / 1_000_000))
    }
}
