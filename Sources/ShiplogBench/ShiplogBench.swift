import ArgumentParser
import Foundation
import Reports
@_spi(Benchmarks) import Ledger
import SQLite

/// Measures the ledger against a plain C program doing the same SQLite INSERTs
/// on the same machine in the same run, and prints a table of ratios.
///
/// Run through `scripts/bench`, which builds this in release mode and compiles
/// the C baseline.
@main
struct ShiplogBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "shiplog-bench", abstract: "The ledger's benchmarks, with a raw-SQLite baseline.")

    @Option(help: "The compiled C baseline (scripts/bench-baseline.c).")
    var baseline: String

    @Option(help: "The release shiplog binary, for the CLI query timing.")
    var shiplog: String

    @Option(help: "A scratch directory for the databases.")
    var work: String

    @Option(help: "Events for the batched append and rebuild runs.")
    var events = 1_000_000

    @Option(help: "Events per transaction in the batched run.")
    var batch = 1_000

    @Option(help: "Appends in each round of the one-per-transaction run.")
    var single = 400

    @Option(help: "Interleaved rounds of the fsync-bound runs.")
    var rounds = 5

    @Option(help: "Concurrent appenders in the group-commit run.")
    var appenders = 64

    @Option(help: "Appends each concurrent appender makes.")
    var perAppender = 250

    @Option(help: "Events in the log the inclusion proofs are timed on.")
    var proofEvents = 1_000_000

    @Option(help: "Deployments (seven events each) in the exported log.")
    var exportDeployments = 100_000

    @Option(help: "Services in the reconcile pass.")
    var reconcileServices = 500

    @Option(help: "wrk, for the HTTP scenario.")
    var wrk: String?

    @Option(help: "The wrk script that appends an event a request (scripts/bench-http-append.lua).")
    var wrkScript: String?

    @Option(help: "The loopback port the HTTP scenario serves on.")
    var httpPort = 8089

    @Option(help: "Seconds of each wrk run.")
    var httpSeconds = 10

    @Option(help: "Connections wrk keeps open.")
    var httpConnections = 64

    @Option(help: "Only these scenarios (comma-separated: batched, single, group, merkle, proof, export, reconcile, http).")
    var only: String?

    private func wants(_ scenario: String) -> Bool {
        only.map { $0.split(separator: ",").contains(Substring(scenario)) } ?? true
    }

    func run() async throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let template = path("template.sqlite")
        try? FileManager.default.removeItem(atPath: template)
        try EventStore(path: template, access: .readWrite(create: true)).close()

        var rows: [Row] = []
        let deployments = Workload(count: events)

        let batchedPath = path("ledger-batched.sqlite")
        if wants("batched") {
        report("batched appends: raw C, \(events) rows, \(batch) per transaction")
        let cBatched = try runBaseline(count: events, perTransaction: batch)
        report("batched appends: ledger")
        let ledgerBatched = try await measureBatched(deployments, at: batchedPath)
        rows.append(Row(name: "Batched appends (\(batch)/tx, \(events / 1000)k events)", ledger: ledgerBatched, baseline: cBatched,
                        unit: "events/s", goal: "≥ 40% of raw C", met: ledgerBatched >= 0.4 * cBatched))

        }
        if wants("merkle") {
            report("batched appends with and without the Merkle tree: \(rounds) interleaved rounds of \(events) events")
            let rates = try await measureMerkleCost(deployments)
            rows.append(Row(name: "Batched appends keeping the Merkle tree vs. not (\(batch)/tx, \(events / 1000)k events; median of \(rounds) rounds)",
                            ledger: rates.ledger, baseline: rates.baseline, ratio: rates.ratio, unit: "events/s",
                            baselineLabel: "without the tree", goal: "≥ 90% of the rate without it", met: rates.ratio >= 0.9))
        }
        if wants("proof") {
            report("inclusion proofs in a \(proofEvents)-event log")
            let milliseconds = try await measureInclusionProofs(reusing: wants("batched") && events == proofEvents ? batchedPath : nil)
            rows.append(Row(name: "Inclusion proof in a \(proofEvents / 1000)k-event log (median of 1000 random positions)",
                            ledger: milliseconds, baseline: nil, unit: "ms", goal: "≤ 1 ms", met: milliseconds <= 1))
        }
        if wants("export") {
            report("full exports of \(exportDeployments) deployments (\(exportDeployments * 7) events), each a shiplog process")
            let path = self.path("ledger-export.sqlite")
            _ = try await measureBatched(Workload(count: exportDeployments * 7), at: path)
            let bench = ExportBenchmark(shiplog: shiplog, ledger: path, work: work)
            for (format, run) in try bench.measureExports() {
                let what = "`shiplog export --format \(format)` of \(exportDeployments / 1000)k deployments\(format == .json ? ", with every event as evidence" : "")"
                rows.append(Row(name: "\(what) (whole process, written as it is read)", ledger: run.seconds, baseline: nil,
                                unit: "s", goal: "≤ 5 s", met: run.seconds <= 5))
                rows.append(Row(name: "\(what): peak resident memory", ledger: run.peakMegabytes, baseline: nil,
                                unit: "MB", goal: "< 200 MB", met: run.peakMegabytes < 200))
            }
            report("shiplog audit-verify --export of the signed JSON export")
            let audit = try bench.measureAudit()
            rows.append(Row(name: "`shiplog audit-verify --export` of that JSON export (whole process, read as it is checked)",
                            ledger: audit.seconds, baseline: nil, unit: "s", goal: "—", met: true))
            rows.append(Row(name: "`shiplog audit-verify --export` of that JSON export: peak resident memory",
                            ledger: audit.peakMegabytes, baseline: nil, unit: "MB", goal: "< 200 MB", met: audit.peakMegabytes < 200))
        }
        if wants("single") || wants("group") { rows += try await measureRounds() }
        if wants("reconcile") {
            report("reconcile pass over \(reconcileServices) services on the simulated ECS")
            let pass = try await ReconcileBenchmark(services: reconcileServices, work: work).run()
            rows.append(Row(
                name: "Reconcile pass, \(reconcileServices) services, simulated ECS (\(pass.describeServicesCalls) DescribeServices calls, minimum \(pass.minimumDescribeServicesCalls); \(pass.describeTaskDefinitionCalls) DescribeTaskDefinition, one per revision; a second pass \(String(format: "%.3f", pass.warmSeconds)) s)",
                ledger: pass.coldSeconds, baseline: nil, unit: "s", goal: "≤ 1 s",
                met: pass.coldSeconds <= 1 && pass.describeServicesCalls <= pass.minimumDescribeServicesCalls))
        }
        if wants("http") { rows += try await measureHTTP() }
        guard wants("batched") else { return print(Row.table(rows, machine: machineDescription())) }

        report("rebuild of all projections from \(events) events")
        let rebuildSeconds = try await measureRebuild(at: batchedPath)
        rows.append(Row(name: "Rebuild all projections (\(events / 1000)k events)", ledger: rebuildSeconds, baseline: nil,
                        unit: "s", goal: "≤ 10 s", met: rebuildSeconds <= 10))

        report("verify of \(events) events (integrity check, chain, actor column, Merkle tree)")
        let verifySeconds = try measureVerify(at: batchedPath)
        rows.append(Row(name: "`verify` of the whole ledger (\(events / 1000)k events: integrity check, chain, tree, checkpoints)", ledger: verifySeconds,
                        baseline: nil, unit: "s", goal: "—", met: true))

        report("shiplog history --app api --env production --limit 50")
        let historySeconds = try measureHistory(at: batchedPath)
        rows.append(Row(name: "`shiplog history --app api --env production --limit 50` (whole process, median of 7)",
                        ledger: historySeconds * 1000, baseline: nil, unit: "ms", goal: "≤ 50 ms", met: historySeconds <= 0.05))

        print(Row.table(rows, machine: machineDescription()))
    }

    // MARK: Scenarios

    /// The fsync-bound runs, in interleaved rounds with the C baseline.
    private func measureRounds() async throws -> [Row] {
        // fsync-bound runs are noisy on a shared disk: interleave the baseline and the
        // ledger in rounds, and report the medians of the rates and of the per-round ratios.
        var rows: [Row] = []
        var singleRounds: [(baseline: Double, ledger: Double)] = []
        var groupRounds: [(baseline: Double, ledger: Double)] = []
        let singleStore = try freshStore("ledger-single.sqlite"), groupStore = try freshStore("ledger-group.sqlite")
        defer {
            singleStore.close()
            groupStore.close()
        }
        for round in 1...rounds {
            report("round \(round)/\(rounds): one append per transaction (raw C, ledger), then \(appenders) concurrent appenders")
            let cSingle = try runBaseline(count: single, perTransaction: 1)
            singleRounds.append((cSingle, try await measureSingle(Workload(count: single, streamPrefix: "round\(round)"), into: singleStore)))
            let cAgain = try runBaseline(count: single, perTransaction: 1)
            groupRounds.append((cAgain, try await measureGroupCommit(Workload(count: appenders * perAppender, streamPrefix: "round\(round)"), into: groupStore)))
        }
        let single = Row.medians(singleRounds), grouped = Row.medians(groupRounds)
        rows.append(Row(name: "One append per transaction (synchronous=FULL; median of \(rounds) interleaved rounds)", ledger: single.ledger,
                        baseline: single.baseline, ratio: single.ratio, unit: "events/s", goal: "≥ 90% of raw C", met: single.ratio >= 0.9))
        rows.append(Row(name: "Group commit, \(appenders) concurrent appenders (synchronous=FULL; median of \(rounds) rounds)", ledger: grouped.ledger,
                        baseline: grouped.baseline, ratio: grouped.ratio, unit: "events/s", goal: "≥ 10× raw C one-per-tx", met: grouped.ratio >= 10))
        guard try groupStore.verify().isIntact, try groupStore.events().count == rounds * appenders * perAppender else {
            throw ValidationError("the group commit run lost events or broke the chain")
        }
        return rows
    }

    /// The service under wrk: reads, then appends between two runs of the raw one-per-transaction
    /// baseline (the rate group commit over HTTP is held to).
    private func measureHTTP() async throws -> [Row] {
        guard let wrk, let wrkScript else { throw ValidationError("the http scenario needs --wrk and --wrk-script") }
        let bench = HTTPBenchmark(shiplog: shiplog, wrk: wrk, appendScript: wrkScript, work: work, port: httpPort, threads: 2,
                                  connections: httpConnections, seconds: httpSeconds)
        report("HTTP: shiplog serve on port \(httpPort) over a fresh ledger")
        let service = try await bench.start()
        let reads: HTTPBenchmark.Run, appends: HTTPBenchmark.AppendRun, before: Double, after: Double
        do {
            report("HTTP: \(bench.wrkLabel) GET /api/v1/environments")
            reads = try bench.measureReads(service)
            report("HTTP: raw C, \(single) rows, one per transaction")
            before = try runBaseline(count: single, perTransaction: 1)
            report("HTTP: \(bench.wrkLabel) POST /api/v1/events, one event a request")
            let measured = try bench.measureAppends(service)
            report("HTTP: raw C again")
            after = try runBaseline(count: single, perTransaction: 1)
            appends = try bench.stopAndCheck(service, appends: measured)
        } catch {
            bench.stop(service)
            throw error
        }
        let baseline = (before + after) / 2
        let readErrors = reads.errors == 0 ? "" : "; \(reads.errors) errors"
        let refusals = appends.refused == 0 ? "" : ", \(appends.refused) refused"
        return [
            Row(name: "HTTP `GET /api/v1/environments` (\(bench.wrkLabel), viewer token, 6 app/environment states; wrk on the same cores\(readErrors))",
                ledger: reads.requestsPerSecond, baseline: nil, unit: "requests/s", goal: "≥ 10,000 requests/s",
                met: reads.requestsPerSecond >= 10_000 && reads.errors == 0),
            Row(name: "HTTP `POST /api/v1/events`, one ImageBuilt event a request (\(bench.wrkLabel), synchronous=FULL; \(appends.acknowledged.formatted()) acknowledged\(refusals), \(appends.recorded.formatted()) in the ledger, verify passes)",
                ledger: appends.acknowledgedPerSecond, baseline: baseline, unit: "events/s",
                baselineLabel: "one per transaction, mean of \(Int(before.rounded()).formatted()) before and \(Int(after.rounded()).formatted()) after",
                goal: "≥ 10× raw C one-per-tx", met: appends.acknowledgedPerSecond >= 10 * baseline && appends.refused == 0),
        ]
    }

    private func measureBatched(_ workload: Workload, at path: String, keepsMerkleTree: Bool = true) async throws -> Double {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try EventStore(path: path, access: .readWrite(create: true), keepsMerkleTree: keepsMerkleTree)
        defer { store.close() }
        let batches = stride(from: 0, to: workload.events.count, by: batch).map { Array(workload.events[$0..<min($0 + batch, workload.events.count)]) }
        let started = ContinuousClock.now
        for events in batches { _ = try await store.append(events) }
        return Double(workload.events.count) / seconds(since: started)
    }

    /// Rounds of the batched workload into fresh ledgers, alternating with and
    /// without the tree, so both see the same disk; medians of the rates and ratios.
    private func measureMerkleCost(_ workload: Workload) async throws -> (baseline: Double, ledger: Double, ratio: Double) {
        var rounds: [(baseline: Double, ledger: Double)] = []
        for round in 1...self.rounds {
            report("round \(round)/\(self.rounds)")
            let without = try await measureBatched(workload, at: path("ledger-no-tree.sqlite"), keepsMerkleTree: false)
            let with = try await measureBatched(workload, at: path("ledger-tree.sqlite"), keepsMerkleTree: true)
            rounds.append((without, with))
        }
        return Row.medians(rounds)
    }

    /// The median time of an inclusion proof for random positions, each in its own read transaction.
    private func measureInclusionProofs(reusing existing: String?) async throws -> Double {
        let path = existing ?? self.path("ledger-proofs.sqlite")
        if existing == nil {
            _ = try await measureBatched(Workload(count: proofEvents), at: path)
        }
        let store = try EventStore(path: path, access: .readOnly)
        var generator = SystemRandomNumberGenerator()
        var timings: [Double] = []
        for _ in 0..<1000 {
            let position = Int64.random(in: 1...Int64(proofEvents), using: &generator)
            let started = ContinuousClock.now
            let proof = try store.inclusionProof(position: position)
            timings.append(seconds(since: started) * 1000)
            guard proof.verifies else { throw ValidationError("an inclusion proof did not verify") }
        }
        return timings.sorted()[timings.count / 2]
    }

    private func freshStore(_ name: String) throws -> EventStore {
        let path = self.path(name)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return try EventStore(path: path, access: .readWrite(create: true))
    }

    private func measureSingle(_ workload: Workload, into store: EventStore) async throws -> Double {
        let started = ContinuousClock.now
        for event in workload.events { _ = try await store.append([event]) }
        return Double(workload.events.count) / seconds(since: started)
    }

    private func measureGroupCommit(_ workload: Workload, into store: EventStore) async throws -> Double {
        let perAppender = self.perAppender
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for appender in 0..<appenders {
                let mine = Array(workload.events[(appender * perAppender)..<((appender + 1) * perAppender)])
                group.addTask {
                    for event in mine { _ = try await store.append([event]) }
                }
            }
            try await group.waitForAll()
        }
        return Double(workload.events.count) / seconds(since: started)
    }

    private func measureRebuild(at path: String) async throws -> Double {
        let store = try EventStore(path: path, access: .readWrite(create: false))
        defer { store.close() }
        let started = ContinuousClock.now
        _ = try await store.rebuild()
        return seconds(since: started)
    }

    private func measureVerify(at path: String) throws -> Double {
        let store = try EventStore(path: path, access: .readOnly)
        let started = ContinuousClock.now
        guard try store.verify().isIntact else { throw ValidationError("the benchmark ledger does not verify") }
        return seconds(since: started)
    }

    private func measureHistory(at path: String) throws -> Double {
        var timings: [Double] = []
        for _ in 0..<7 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: shiplog)
            process.arguments = ["history", "--db", path, "--app", "api", "--env", "production", "--limit", "50"]
            process.standardOutput = FileHandle.nullDevice
            let started = ContinuousClock.now
            try process.run()
            process.waitUntilExit()
            timings.append(seconds(since: started))
            guard process.terminationStatus == 0 else { throw ValidationError("shiplog history failed") }
        }
        return timings.sorted()[timings.count / 2]
    }

    private func runBaseline(count: Int, perTransaction: Int) throws -> Double {
        let database = path("baseline-\(count)-\(perTransaction).sqlite")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        try FileManager.default.copyItem(atPath: path("template.sqlite"), toPath: database)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: baseline)
        process.arguments = [database, String(count), String(perTransaction)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let rate = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ValidationError("the C baseline failed")
        }
        return rate
    }

    // MARK: Helpers

    private func path(_ name: String) -> String { URL(fileURLWithPath: work).appending(path: name).path }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func report(_ text: String) {
        FileHandle.standardError.write(Data("… \(text)\n".utf8))
    }

    private func machineDescription() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let date = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withFullDate])
        return "\(date), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu), SQLite \(sqliteVersion())"
    }
}

/// Deployments as the deploy flow records them: seven events each, across
/// three apps and two environments, by a bot acting for a person.
struct Workload {
    let events: [NewEvent]

    init(count: Int, streamPrefix: String = "deployment") {
        let apps = ["api", "frontend", "ingestion_server"], environments = ["staging", "production"]
        let metadata = EventMetadata(actor: "openverse-bot", onBehalfOf: "ana", authMethod: "cli")
        var events: [NewEvent] = []
        events.reserveCapacity(count)
        var deployment = 0
        while events.count < count {
            let app = apps[deployment % 3], environment = environments[deployment / 3 % 2]
            let family = "\(environment)-\(app)", revision = deployment / 6 + 1
            let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/\(family):\(revision)"
            let stream = "\(streamPrefix)-\(deployment)"
            let tag = "rel-2026.11.27.\(deployment % 100)"
            let lifecycle: [NewEvent] = [
                NewEvent(stream: stream, DeploymentRequested(app: app, environment: environment, tag: tag, trigger: .release), metadata: metadata),
                NewEvent(stream: stream, ImageVerified(image: "ghcr.io/wordpress/openverse-\(app)", tag: tag, digest: "sha256:0b1c"), metadata: metadata),
                NewEvent(stream: stream, ImageVerified(image: "ghcr.io/wordpress/openverse-\(app)_nginx", tag: tag, digest: "sha256:9f8e"), metadata: metadata),
                NewEvent(stream: stream, TaskDefinitionRendered(templateFamily: "\(family)-template", family: family, images: ["django": tag]), metadata: metadata),
                NewEvent(stream: stream, TaskDefinitionRegistered(taskDefinitionArn: arn, family: family, revision: revision), metadata: metadata),
                NewEvent(stream: stream, ServiceUpdated(cluster: "\(environment)-default", service: family, taskDefinitionArn: arn), metadata: metadata),
                NewEvent(stream: stream, DeploymentStable(taskDefinitionArn: arn, revision: revision), metadata: metadata),
            ]
            events.append(contentsOf: lifecycle.prefix(count - events.count))
            deployment += 1
        }
        self.events = events
    }
}

struct Row {
    var name: String
    var ledger: Double
    var baseline: Double?
    var ratio: Double?
    var unit: String
    /// What the baseline column holds when it is not the raw C program.
    var baselineLabel: String?
    var goal: String
    var met: Bool

    init(name: String, ledger: Double, baseline: Double?, ratio: Double? = nil, unit: String, baselineLabel: String? = nil, goal: String, met: Bool) {
        self.name = name
        self.ledger = ledger
        self.baseline = baseline
        self.ratio = ratio ?? baseline.map { ledger / $0 }
        self.unit = unit
        self.baselineLabel = baselineLabel
        self.goal = goal
        self.met = met
    }

    /// The medians of the rates and of the per-round ratios.
    static func medians(_ rounds: [(baseline: Double, ledger: Double)]) -> (baseline: Double, ledger: Double, ratio: Double) {
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        return (median(rounds.map(\.baseline)), median(rounds.map(\.ledger)), median(rounds.map { $0.ledger / $0.baseline }))
    }

    static func table(_ rows: [Row], machine: String) -> String {
        var lines = [
            "Measured \(machine).", "",
            "| benchmark | shiplog | raw C baseline (same run) | ratio | goal | met |",
            "|---|---:|---:|---:|---|---|",
        ]
        for row in rows {
            let ratio = row.ratio.map { String(format: "%.2f×", $0) } ?? "—"
            let baseline = row.baseline.map { format($0, row.unit) + (row.baselineLabel.map { " (\($0))" } ?? "") } ?? "—"
            lines.append("| \(row.name) | \(format(row.ledger, row.unit)) | \(baseline) | \(ratio) | \(row.goal) | \(row.met ? "yes" : "no") |")
        }
        return lines.joined(separator: "\n")
    }

    private static func format(_ value: Double, _ unit: String) -> String {
        unit.hasSuffix("/s") ? "\(Int(value.rounded()).formatted()) \(unit)" : String(format: "%.2f %@", value, unit)
    }
}
