import Ledger

/// A report as one RFC 4180 table (CRLF line breaks; a field is quoted when it
/// holds a quote, a comma, CR or LF, and its quotes are doubled). Written by
/// hand, byte by byte: CSV.swift's writer takes over 5 s for 100k deployments;
/// the tests read the output back with CSV.swift's reader.
///
/// Its first column says what each row is — `deployment`, `dora`
/// (one per app and environment) or `checkpoint` (the last row, the
/// checkpoint text in its `checkpoint` field) — and each kind fills its own
/// columns, so one file holds the whole report.
enum CSVReport {
    static let columns = [
        "record", "app", "environment", "id", "tag", "trigger", "actor", "via", "started_at", "ended_at", "duration_ms",
        "over_15_minutes", "outcome", "failure_stage", "failure_reason", "rolled_back_to", "source", "commit", "committed_at",
        "position", "deployments", "deployments_per_day", "lead_time_median_s", "change_failures", "change_failure_rate",
        "time_to_restore_median_s", "checkpoint",
    ]

    static func write(_ report: Report, to output: ReportOutput) throws {
        let writer = Writer(output: output)
        try writer.write(row: columns)
        for d in report.deployments {
            try writer.write(row: row([
                "record": "deployment", "app": d.app, "environment": d.environment, "id": d.id, "tag": d.tag,
                "trigger": d.trigger, "actor": d.actor, "via": d.via, "started_at": d.startedAt, "ended_at": d.endedAt,
                "duration_ms": d.durationMs.map(String.init), "over_15_minutes": d.overFifteenMinutes ? "yes" : "no",
                "outcome": d.outcome.rawValue, "failure_stage": d.failureStage, "failure_reason": d.failureReason,
                "rolled_back_to": d.rolledBackTo, "source": d.source, "commit": d.commit, "committed_at": d.committedAt,
                "position": String(d.position),
            ]))
        }
        for m in report.dora {
            try writer.write(row: row([
                "record": "dora", "app": m.app, "environment": m.environment, "deployments": String(m.deployments),
                "deployments_per_day": Cells.number(m.deploymentsPerDay), "lead_time_median_s": m.leadTimeMedianSeconds.map(String.init),
                "change_failures": String(m.changeFailures), "change_failure_rate": m.changeFailureRate.map(Cells.number),
                "time_to_restore_median_s": m.timeToRestoreMedianSeconds.map(String.init),
            ]))
        }
        try writer.write(row: row(["record": "checkpoint", "checkpoint": report.checkpoint.note]))
        try output.flush()
    }

    private struct Writer {
        let output: ReportOutput

        func write(row: [String]) throws {
            for (index, field) in row.enumerated() {
                if index > 0 { output.buffer.append(UInt8(ascii: ",")) }
                let needsQuotes = field.utf8.contains { $0 == 0x22 || $0 == 0x2C || $0 == 0x0D || $0 == 0x0A }
                guard needsQuotes else {
                    output.buffer += field.utf8
                    continue
                }
                output.buffer.append(0x22)
                for byte in field.utf8 {
                    if byte == 0x22 { output.buffer.append(0x22) }
                    output.buffer.append(byte)
                }
                output.buffer.append(0x22)
            }
            output.buffer += [0x0D, 0x0A]
            try output.flushIfFull()
        }
    }

    private static func row(_ cells: [String: String?]) -> [String] {
        columns.map { (cells[$0] ?? nil) ?? "" }
    }
}
