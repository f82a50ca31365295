import Foundation
import Ledger
import NIOHTTP1
import Simulation
import Synchronization
import TestSupport
import Testing

struct NotifyCommandTests {
    /// A receiver that refuses the first request of each delivery id (so every notification is
    /// retried), then accepts it and every repeat of it, counting them: a receiver deduplicates
    /// by delivery id.
    private final class Receiver: Sendable {
        let accepted = Mutex<[String: Int]>([:])
        let seen = Mutex<Set<String>>([])

        func answer(_ request: ReceivedRequest) -> CannedResponse {
            guard let id = request.headers.first(name: "X-Shiplog-Delivery") else { return CannedResponse(status: .badRequest) }
            guard seen.withLock({ !$0.insert(id).inserted }) else { return CannedResponse(status: .serviceUnavailable) }
            accepted.withLock { $0[id, default: 0] += 1 }
            return CannedResponse(status: .ok)
        }
    }

    private func configure(_ cli: CLI, url: String) throws {
        try cli.run("init")
        let notify = """

            notify:
              retry: {attempts: 5, backoff: 50ms}
              sinks:
                - {name: hook, type: webhook, url: "\(url)", events: [DeploymentRequested]}

            """
        try Data((ExampleConfiguration.text + notify).utf8).write(to: URL(filePath: cli.directory.path("shiplog.yml")))
    }

    @Test func aNotifierKilledMidDeliveryAndRestartedDeliversEveryNotificationExactlyOnceById() async throws {
        let receiver = Receiver()
        let server = try await LoopbackHTTPServer.start { receiver.answer($0) }
        let cli = CLI()
        try configure(cli, url: server.baseURL + "/hook")
        #expect(try cli.run("notify").lines == ["hook: subscribed at position 0"])
        let count = 150
        let input = (1...count).map { String.requested($0, tag: "t\($0)") }.joined(separator: "\n") + "\n"
        #expect(try cli.run(["events", "append", "--actor", "ana-maintainer", "--each"], input: input).status == 0)

        let child = cli.process(["notify", "--watch", "--interval", "50ms"])
        let stdout = Pipe()
        child.standardOutput = stdout
        child.standardError = FileHandle.nullDevice
        try child.run()
        let collector = OutputCollector(stdout.fileHandleForReading)
        await collector.wait(seconds: 60) { $0.complete.count >= 20 }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)
        let beforeKill = collector.complete.count
        #expect(beforeKill >= 20 && beforeKill < count, "killed mid-delivery")

        let restarted = try cli.run("notify")
        #expect(restarted.status == 0, "\(restarted.stderr)")

        let store = try EventStore(path: cli.database, access: .readOnly)
        let requested = try store.events(EventFilter(type: "DeploymentRequested"))
        let delivered = try store.events(EventFilter(type: "NotificationDelivered")).map { try NotificationDelivered.decode(from: $0.data) }
        #expect(requested.count == count)
        #expect(delivered.count == count, "the ledger records each delivery once")
        #expect(Set(delivered.map(\.eventId)) == Set(requested.map(\.id)))
        let accepted = receiver.accepted.withLock { $0 }
        #expect(Set(accepted.keys) == Set(delivered.map(\.deliveryId)), "the receiver got every notification the ledger says it did")
        // Only the notification in flight when the process died can have been sent again after
        // the receiver took it: the kill fell between its answer and the record of it.
        #expect(accepted.values.reduce(0, +) - accepted.count <= 1, "no notification repeated but the one in flight at the kill")
        #expect(try store.verify().isIntact)
        try await server.stop()
    }

    @Test func notifyWithoutSinksIsAOneLineError() throws {
        let cli = CLI()
        try cli.run("init")
        let output = try cli.run("notify")
        #expect(output.status != 0)
        #expect(output.stderr.contains("has no notify.sinks: nothing to deliver"))
    }
}
