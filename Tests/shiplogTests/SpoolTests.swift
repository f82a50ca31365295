import Dispatch
import Foundation
import FoundationNetworking
import Ledger
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

/// A `shiplog serve` process that can be stopped (or killed) and started again on the same port,
/// as a service restarts at the same URL.
final class RestartableService {
    let cli: CLI
    private(set) var port = 0
    private var process: Process?

    init(cli: CLI) {
        self.cli = cli
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func start() async throws {
        let (process, collector, url) = try await cli.launchServe(["--port", String(port), "--reconcile", "off"])
        guard let url, let listening = Int(url.split(separator: ":").last ?? "") else {
            process.terminate()
            throw ServeFailure("the service did not start: \(collector.output)")
        }
        port = listening
        self.process = process
    }

    /// Stops the service with `signal` (SIGTERM to stop it, SIGKILL to crash it) and waits.
    func stop(_ signal: Int32 = SIGTERM) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }
}

/// In client mode an append the service cannot take now is spooled and sent later, exactly once.
/// Serialized: the tests that cut a flush short watch a child process closely, and beside the suite's other tests
/// (which wait for their children on the cooperative pool's two threads) their watching was starved.
@Suite(.serialized) struct SpoolTests {
    let cli = CLI()
    var spool: String { cli.directory.path("spool.jsonl") }

    /// A ledger with a deployer's token, its service started and then stopped: its URL refuses
    /// connections.
    func ledgerWithStoppedService() async throws -> (RestartableService, String) {
        try await cli.run("init")
        let created = try await cli.run("token", "create", "--name", "ci-deployer", "--role", "deployer", "--actor", "ana-maintainer")
        #expect(created.status == 0, "\(created.stderr)")
        let service = RestartableService(cli: cli)
        try await service.start()
        service.stop()
        return (service, created.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func built(_ number: Int) -> String {
        .event(stream: "build-\(number)", type: "ImageBuilt", data: #"{"app":"api","image":"i","tag":"t\#(number)","digest":"sha256:\#(number)"}"#)
    }

    func client(_ token: String, extra: [String: String] = [:]) -> CLI {
        var client = CLI(directory: cli.directory)
        // A refused connection is retried until the answer's deadline: a short one keeps the test short.
        client.environment = ["SHIPLOG_TOKEN": token, "XDG_STATE_HOME": cli.directory.path("state"), "SHIPLOG_SERVER_TIMEOUT": "3s"]
            .merging(extra) { $1 }
        return client
    }

    func append(_ client: CLI, _ service: RestartableService, _ number: Int, _ extra: [String] = []) async throws -> CLI.Output {
        try await client.run(["events", "append", "--server", service.url, "--spool", spool] + extra, input: Self.built(number), useDatabase: false)
    }

    /// The tags of the ImageBuilt events in the ledger, in log order.
    func recordedTags() throws -> [String] {
        try EventStore(path: cli.database, access: .readOnly).events(EventFilter(type: "ImageBuilt")).map { event in
            let data = try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
            return data?["tag"] as? String ?? "?"
        }
    }

    func spooledLines() -> [String] {
        (try? String(contentsOfFile: spool, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    @Test func appendsWhileTheServiceIsDownExitZeroAndAFlushRecordsEachOnceInOrder() async throws {
        let (service, token) = try await ledgerWithStoppedService()
        let client = client(token)
        for number in 0..<5 {
            let appended = try await append(client, service, number)
            #expect(appended.status == 0, "\(appended.stderr)")
            #expect(appended.stdout.isEmpty)
            #expect(appended.stderr.split(separator: "\n").count == 1, "one warning line: \(appended.stderr)")
            #expect(appended.stderr.hasPrefix("warning: cannot reach the shiplog service at \(service.url)"), "\(appended.stderr)")
            #expect(appended.stderr.contains("spooled 1 events to \(spool)"))
        }
        let records = spooledLines().map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.count == 5)
        #expect(records.allSatisfy { ($0?["server"] as? String) == service.url && ($0?["idempotency_key"] as? String)?.isEmpty == false })
        #expect(Set(records.compactMap { $0?["idempotency_key"] as? String }).count == 5, "each record its own key")
        #expect(try recordedTags().isEmpty)

        try await service.start()
        let flushed = try await client.run(["flush", "--server", service.url, "--spool", spool], useDatabase: false)
        #expect(flushed.status == 0, "\(flushed.stderr)")
        #expect(flushed.lines.count == 5)
        #expect(flushed.stderr == "sent 5 spooled records to \(service.url) (0 were already recorded)\n")
        #expect(try recordedTags() == (0..<5).map { "t\($0)" })
        #expect(!FileManager.default.fileExists(atPath: spool), "an emptied spool is removed")
        #expect(!FileManager.default.fileExists(atPath: spool + ".sent"))

        let again = try await client.run(["flush", "--server", service.url, "--spool", spool], useDatabase: false)
        #expect(again.status == 0)
        #expect(again.stderr == "nothing spooled in \(spool)\n")
        #expect(try recordedTags().count == 5)
    }

    @Test func requireLedgerMakesAnOutageAnErrorAndSpoolsNothing() async throws {
        let (service, token) = try await ledgerWithStoppedService()
        for (client, extra) in [(client(token), ["--require-ledger"]), (client(token, extra: ["SHIPLOG_REQUIRE_LEDGER": "1"]), [])] {
            let appended = try await append(client, service, 1, extra)
            #expect(appended.status == 1)
            #expect(appended.stdout.isEmpty)
            #expect(appended.stderr.hasPrefix("Error: cannot reach the shiplog service at \(service.url)"), "\(appended.stderr)")
            #expect(appended.stderr.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: spool))
        }
        let local = try await cli.run(["events", "append", "--require-ledger", "--actor", "ana-maintainer"], input: Self.built(1))
        #expect(local.status != 0)
        #expect(local.stderr.contains("--require-ledger applies to appends through a service"))
        #expect(try recordedTags().isEmpty)
    }

    @Test func theNextClientCommandSendsTheSpoolFirstSoOrderIsKept() async throws {
        let (service, token) = try await ledgerWithStoppedService()
        let client = client(token)
        let state = cli.directory.path("state/shiplog/spool/http-127.0.0.1-\(service.port).jsonl")
        for number in 0..<2 {
            let appended = try await client.run(["events", "append", "--server", service.url], input: Self.built(number), useDatabase: false)
            #expect(appended.status == 0, "\(appended.stderr)")
            #expect(appended.stderr.contains("spooled 1 events to \(state)"), "one spool per service under XDG_STATE_HOME: \(appended.stderr)")
        }
        try await service.start()
        let appended = try await client.run(["events", "append", "--server", service.url], input: Self.built(2), useDatabase: false)
        #expect(appended.status == 0, "\(appended.stderr)")
        #expect(appended.stderr == "sent 2 spooled records from \(state)\n")
        #expect(appended.lines.count == 1, "prints what it appended, as locally")
        #expect(try recordedTags() == ["t0", "t1", "t2"])
        #expect(!FileManager.default.fileExists(atPath: state))
    }

    @Test func aSpooledRecordTheServiceRefusesIsSetAsideAndTheRestAreSent() async throws {
        let (service, token) = try await ledgerWithStoppedService()
        let client = client(token)
        await #expect(try append(client, service, 0).status == 0)
        await #expect(try append(client, service, 1, ["--expected-version", "7"]).status == 0, "the stream will not be at 7")
        await #expect(try append(client, service, 2).status == 0)
        try await service.start()
        let flushed = try await client.run(["flush", "--server", service.url, "--spool", spool], useDatabase: false)
        #expect(flushed.status == 1)
        #expect(flushed.lines.count == 2)
        let refusal = try #require(flushed.stderr.split(separator: "\n").first)
        #expect(refusal.hasPrefix("error: the service refused spooled record "), "\(flushed.stderr)")
        #expect(refusal.hasSuffix("kept in \(spool).rejected"))
        #expect(try recordedTags() == ["t0", "t2"])
        let rejected = try String(contentsOfFile: spool + ".rejected", encoding: .utf8).split(separator: "\n")
        #expect(rejected.count == 1)
        let entry = try #require(try JSONSerialization.jsonObject(with: Data(rejected[0].utf8)) as? [String: Any])
        #expect((entry["status"] as? Int).map { (400..<500).contains($0) } == true)
        #expect((entry["line"] as? String)?.contains("t1") == true)
        #expect(!FileManager.default.fileExists(atPath: spool))
    }

    @Test func aFlushToAnotherServiceThanTheRecordsWereMeantForSendsNothing() async throws {
        let (service, token) = try await ledgerWithStoppedService()
        let client = client(token)
        await #expect(try append(client, service, 0).status == 0)
        let other = RestartableService(cli: cli)
        try await other.start()
        let flushed = try await client.run(["flush", "--server", other.url, "--spool", spool], useDatabase: false)
        #expect(flushed.status == 1)
        #expect(flushed.stderr == "Error: \(spool) holds records for \(service.url); send them with `shiplog flush --server \(service.url)`; 1 records stay spooled in \(spool)\n")
        #expect(spooledLines().count == 1)
        #expect(try recordedTags().isEmpty)
    }

    /// The acceptance test: however the flush is cut short, each spooled record is in the ledger
    /// exactly once, in order.
    @Test(arguments: ["service killed", "flush killed"])
    func aFlushCutShortAndRetriedLosesAndDuplicatesNothing(_ what: String) async throws {
        let (service, token) = try await ledgerWithStoppedService()
        let client = client(token)
        let count = 120
        for number in 0..<count {
            let appended = try await append(client, service, number)
            #expect(appended.status == 0, "\(appended.stderr)")
        }
        #expect(spooledLines().count == count)
        try await service.start()
        let flush = client.process(["flush", "--server", service.url, "--spool", spool], useDatabase: false)
        let sent = Pipe()
        flush.standardOutput = sent
        flush.standardError = FileHandle.nullDevice
        try flush.start()
        // The flush prints a line as each record is answered: cut it short at the tenth.
        await OutputCollector(sent.fileHandleForReading).wait(seconds: 60) { $0.complete.count >= 10 }
        if what == "service killed" {
            service.stop(SIGKILL)
            await flush.exited()
            #expect(flush.terminationStatus == 1, "the flush stops when the service goes away")
            try await service.start()
        } else {
            kill(flush.processIdentifier, SIGKILL)
            await flush.exited()
        }
        let cutAt = try recordedTags().count
        #expect(cutAt < count, "the flush was cut short (\(cutAt) of \(count) sent)")
        let retried = try await client.run(["flush", "--server", service.url, "--spool", spool], useDatabase: false)
        #expect(retried.status == 0, "\(retried.stderr)")
        let tags = try recordedTags()
        #expect(tags.count == count, "count in == count out")
        #expect(tags == (0..<count).map { "t\($0)" }, "in order, none twice")
        let ids = try EventStore(path: cli.database, access: .readOnly).events(EventFilter(type: "ImageBuilt")).map(\.id)
        #expect(Set(ids).count == count)
        #expect(!FileManager.default.fileExists(atPath: spool))
        #expect(try EventStore(path: cli.database, access: .readOnly).verify().isIntact)
    }
}

/// A loopback proxy in front of the service that passes the first append on and then never
/// answers it: the service committed, the client only sees its request time out.
final class SwallowingProxy: Sendable {
    let server: LoopbackHTTPServer

    init(to target: String) async throws {
        let swallowed = Shared(false)
        server = try await LoopbackHTTPServer.start { request in
            let answer = Self.forward(request, to: target)
            let swallow = request.method == .POST && swallowed.withLock { done in
                defer { done = true }
                return !done
            }
            return swallow ? CannedResponse(status: .ok, hang: true) : answer
        }
    }

    var url: String { server.baseURL }

    private static func forward(_ request: ReceivedRequest, to target: String) -> CannedResponse {
        var forwarded = URLRequest(url: URL(string: target + request.uri)!)
        forwarded.httpMethod = request.method.rawValue
        for header in request.headers where !["host", "content-length", "connection"].contains(header.name.lowercased()) {
            forwarded.addValue(header.value, forHTTPHeaderField: header.name)
        }
        if !request.body.isEmpty { forwarded.httpBody = Data(request.body.utf8) }
        let answer = Shared(CannedResponse(status: .badGateway))
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: forwarded) { data, response, _ in
            if let response = response as? HTTPURLResponse {
                let type = response.value(forHTTPHeaderField: "Content-Type") ?? "application/json"
                answer.withLock {
                    $0 = CannedResponse(status: HTTPResponseStatus(statusCode: response.statusCode), headers: [("Content-Type", type)],
                                        body: String(decoding: data ?? Data(), as: UTF8.self))
                }
            }
            done.signal()
        }.resume()
        done.wait()
        return answer.withLock { $0 }
    }
}

/// A value the closures of a loopback server and the test share.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}

extension SpoolTests {
    @Test func anAppendThatTimedOutAfterTheServiceCommittedIsSpooledAndRecordedOnce() async throws {
        let (service, token) = try await ledgerWithStoppedService()
        try await service.start()
        let proxy = try await SwallowingProxy(to: service.url)
        defer { Task { try? await proxy.server.stop() } }
        let client = client(token)
        let appended = try await client.run(
            ["events", "append", "--server", proxy.url, "--server-timeout", "2s", "--spool", spool], input: Self.built(1), useDatabase: false)
        #expect(appended.status == 0, "\(appended.stderr)")
        #expect(appended.stderr.hasPrefix("warning: cannot reach the shiplog service at \(proxy.url)"), "\(appended.stderr)")
        #expect(try recordedTags() == ["t1"], "the service committed before the answer was lost")
        let flushed = try await client.run(["flush", "--server", proxy.url, "--spool", spool], useDatabase: false)
        #expect(flushed.status == 0, "\(flushed.stderr)")
        #expect(flushed.stdout.contains(#""deduplicated":true"#), "\(flushed.stdout)")
        #expect(try recordedTags() == ["t1"], "recorded once")
    }
}
