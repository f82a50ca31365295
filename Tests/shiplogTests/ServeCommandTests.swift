import AsyncHTTPClient
import Deploy
import Foundation
import Ledger
import NIOCore
import NIOHTTP1
import TestSupport
import Synchronization
import Testing

/// `shiplog serve` as a process: what it does on SIGTERM, and the reconciler it runs inside.
@Suite struct ServeCommandTests {
    let cli = CLI()

    /// Starts `shiplog serve` on a free port; returns the process, its stderr and its base URL.
    func serve(_ extra: [String] = []) async throws -> (Process, OutputCollector, String) {
        try await cli.serve(extra)
    }

    func token(_ role: String) async throws -> String {
        let created = try await cli.run("token", "create", "--name", "ci-\(role)", "--role", role, "--actor", "ana-maintainer")
        #expect(created.status == 0, "\(created.stderr)")
        return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func withASigningKeyTheServiceSignsACheckpointSoonAfterTheLogGrows() async throws {
        try await cli.run("init")
        let created = try await cli.run("keys", "create", "--out", cli.directory.path(""), "--name", "shiplog.test", useDatabase: false)
        #expect(created.status == 0, "\(created.stderr)")
        let (process, _, _) = try await serve(["--reconcile", "off", "--signing-key", cli.directory.path("shiplog.test.key"), "--checkpoint-interval", "1s"])
        defer { if process.isRunning { process.terminate() } }
        func checkpointed() throws -> [(size: Int64, root: [UInt8])] {
            try EventStore(path: cli.database, access: .readOnly).checkpointSizes()
        }
        for round in 1...2 {
            let appended = try await cli.run("events", "append", "--actor", "ana-maintainer", input: .requested(round))
            #expect(appended.status == 0, "\(appended.stderr)")
            let head = Int64(try await cli.eventCount())
            let deadline = ContinuousClock.now + .seconds(20)
            while try checkpointed().last?.size != head, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(try checkpointed().last?.size == head, "a checkpoint of the grown log, round \(round)")
        }
        let sizes = try checkpointed().map(\.size)
        #expect(sizes == Array(Set(sizes)).sorted(), "one checkpoint per size: \(sizes)")
        #expect(try await cli.run("verify").status == 0)
    }

    @Test func sigtermFinishesInFlightAppendsAndEveryAcknowledgedEventIsInTheLedger() async throws {
        try await cli.run("init")
        let token = try await token("deployer")
        let (process, _, base) = try await serve(["--reconcile", "off"])
        defer { if process.isRunning { process.terminate() } }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let acknowledgedSoFar = Counter()
        let acknowledged = try await withThrowingTaskGroup(of: [Int].self) { group in
            for writer in 0..<16 {
                group.addTask {
                    var positions: [Int] = []
                    for number in 0..<400 {
                        var request = HTTPClientRequest(url: base + "/api/v1/events")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        request.body = .bytes(ByteBuffer(string: #"{"stream": "build-\#(writer)", "type": "ImageBuilt", "data": {"app": "api", "image": "i", "tag": "t\#(number)", "digest": "sha256:\#(number)"}}"#))
                        guard let response = try? await client.execute(request, timeout: .seconds(30)) else { break }
                        let body = try await response.body.collect(upTo: 1 << 20)
                        guard response.status == .created,
                              let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
                              let position = (object["events"] as? [[String: Any]])?.first?["position"] as? Int else { break }
                        positions.append(position)
                        acknowledgedSoFar.increment()
                    }
                    return positions
                }
            }
            // Stop the service while the writers are mid-flight: once some appends were acknowledged.
            let deadline = ContinuousClock.now + .seconds(60)
            while acknowledgedSoFar.value < 200, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            kill(process.processIdentifier, SIGTERM)
            var all: [Int] = []
            for try await positions in group { all += positions }
            return all
        }
        try await client.shutdown()
        await process.exited()
        #expect(process.terminationStatus == 0)
        #expect(acknowledged.count > 0, "some appends were acknowledged before the stop")
        #expect(acknowledged.count < 16 * 400, "the stop came while writers were still appending")
        let store = try EventStore(path: cli.database, access: .readOnly)
        let recorded = Set(try store.events(EventFilter(type: "ImageBuilt")).map { Int($0.position) })
        #expect(Set(acknowledged).isSubset(of: recorded), "every acknowledged append is in the ledger")
        #expect(try store.verify().isIntact)
    }

    @Test func theServiceRunsTheReconcilerInsideAndReleasesItsLeaseOnSIGTERM() async throws {
        try await cli.run("init")
        let (process, collector, _) = try await serve()
        defer { if process.isRunning { process.terminate() } }
        await collector.wait { $0.output.contains("reconcile pass") }
        #expect(collector.output.contains("reconcile pass"))
        let store = try EventStore(path: cli.database, access: .readOnly)
        #expect(try store.leaseHolder(ReconcileLoop.leaseName, now: Date())?.holder.hasPrefix("\(process.processIdentifier)@") == true)
        #expect(try store.serviceState(Reconciler.lastPassKey) != nil)
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 0)
        #expect(try store.leaseHolder(ReconcileLoop.leaseName, now: Date()) == nil)
    }

    @Test func serveRefusesABadPortAndAnUnreadableSecretFileWithOneLine() async throws {
        try await cli.run("init")
        let port = try await cli.run("serve", "--port", "70000")
        #expect(port.status != 0)
        #expect(port.stderr.contains("--port must be 0 to 65535"))
        let secret = try await cli.run("serve", "--port", "0", "--github-webhook-secret-file", "missing.txt")
        #expect(secret.status != 0)
        #expect(secret.stderr.contains("cannot read the webhook secret file missing.txt"))
    }

    @Test func serveOpensTheLedgerTheConfigurationsDatabaseNames() async throws {
        try await cli.run("init")
        let config = cli.directory.path("shiplog.yml")
        let text = try String(contentsOfFile: config, encoding: .utf8)
        #expect(text.contains("\ndatabase: shiplog.sqlite\n"))
        try text.replacingOccurrences(of: "\ndatabase: shiplog.sqlite\n", with: "\ndatabase: configured.sqlite\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let process = cli.process(["serve", "--port", "0", "--reconcile", "off"], useDatabase: false)
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.start()
        defer { if process.isRunning { process.terminate() } }
        try? stderr.fileHandleForWriting.close()
        let collector = OutputCollector(stderr.fileHandleForReading)
        await collector.wait { $0.output.contains("listening on 127.0.0.1:") }
        #expect(collector.output.contains("listening on 127.0.0.1:"), "\(collector.output)")
        #expect(FileManager.default.fileExists(atPath: cli.directory.path("configured.sqlite")), "the ledger shiplog.yml names")
    }

    @Test func serveRefusesAnIdleTimeoutThatIsNotAPositiveDurationAndAConnectionCapBelowOne() async throws {
        try await cli.run("init")
        for text in ["0s", "0ms", "soon"] {
            let refused = try await cli.run("serve", "--port", "0", "--idle-timeout", text)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("--idle-timeout must be a positive duration such as 30s, 2m or 500ms, not '\(text)'"))
        }
        let cap = try await cli.run("serve", "--port", "0", "--max-connections", "0")
        #expect(cap.status != 0)
        #expect(cap.stderr.contains("--max-connections must be at least 1, not 0"))
    }

    @Test func tokenCommandsPrintOnceListWithoutSecretsAndRevoke() async throws {
        try await cli.run("init")
        let secret = try await token("viewer")
        #expect(secret.hasPrefix("shiplog_"))
        let listed = try await cli.run("token", "list", "--format", "json")
        #expect(listed.stdout.contains("ci-viewer"))
        #expect(!listed.stdout.contains(secret))
        let again = try await cli.run("token", "create", "--name", "ci-viewer", "--role", "viewer", "--actor", "ana-maintainer")
        #expect(again.status != 0)
        #expect(again.stderr.contains("already named 'ci-viewer'"))
        let badRole = try await cli.run("token", "create", "--name", "x", "--role", "admin", "--actor", "ana-maintainer")
        #expect(badRole.status != 0)
        let revoked = try await cli.run("token", "revoke", "ci-viewer", "--actor", "ana-maintainer")
        #expect(revoked.status == 0)
        #expect(try await cli.run("token", "list").stdout.contains("ci-viewer") == false)
        #expect(try await cli.run("token", "list", "--all").stdout.contains("ci-viewer"))
        let unknown = try await cli.run("token", "revoke", "nobody", "--actor", "ana-maintainer")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no token with id or name 'nobody'"))
    }

    @Test func tokenCreateRecordsAnExpiryThatListShowsBesideTheLastUse() async throws {
        try await cli.run("init")
        let before = Date()
        let created = try await cli.run("token", "create", "--name", "ci-quarter", "--role", "deployer", "--expires-in", "90d", "--actor", "ana-maintainer")
        #expect(created.status == 0, "\(created.stderr)")
        let after = Date()

        let listed = try await cli.run("token", "list", "--format", "json")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let row = try #require(rows.first { $0["name"] as? String == "ci-quarter" })
        let expiresAt = try #require(row["expires_at"] as? String)
        let expiry = try #require(Timestamp.date(from: expiresAt))
        let ninetyDays: TimeInterval = 90 * 86_400
        #expect(expiry >= before.addingTimeInterval(ninetyDays).addingTimeInterval(-1))
        #expect(expiry <= after.addingTimeInterval(ninetyDays).addingTimeInterval(1))
        #expect(row["last_used_at"] == nil, "never used yet")
        let issued = try #require(try await cli.run("events", "--stream", "tokens").lines.last)
        #expect(issued.contains(#""expires_at":"\#(row["expires_at"] as? String ?? "")""#))

        let table = try await cli.run("token", "list")
        let header = table.lines.first?.lowercased().replacingOccurrences(of: " ", with: "_") ?? ""
        #expect(header.contains("expires"), "\(header)")
        #expect(header.contains("last_used"), "\(header)")
        #expect(table.stdout.contains(row["expires_at"] as? String ?? "missing"))
    }

    @Test func aBadExpiryIsRefusedOnOneLineAndWritesNothing() async throws {
        try await cli.run("init")
        let before = try await cli.eventCount()
        for bad in ["0d", "-5d", "90", "ninety", "5w", "1.5h", ""] {
            let refused = try await cli.run("token", "create", "--name", "ci-bad", "--role", "viewer", "--expires-in", bad, "--actor", "ana-maintainer")
            #expect(refused.status != 0, "\(bad)")
            #expect(refused.stdout.isEmpty, "\(bad)")
            let message = refused.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!message.contains("\n"), "one line for '\(bad)': \(message)")
            #expect(message.contains("expiry must be a positive whole number"), "\(bad): \(message)")
        }
        #expect(try await cli.eventCount() == before)
    }
}

struct ServeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A count shared by concurrent tasks.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
