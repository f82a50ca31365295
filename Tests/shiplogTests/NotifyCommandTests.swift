import Foundation
import Ledger
import NIOHTTP1
import Simulation
import Synchronization
import TestSupport
import Testing

@Suite(.serialized) struct NotifyCommandTests {
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

    private func configure(_ cli: CLI, url: String) async throws {
        try await cli.run("init")
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
        try await configure(cli, url: server.baseURL + "/hook")
        #expect(try await cli.run("notify").lines == ["hook: subscribed at position 0"])
        let count = 150
        let input = (1...count).map { String.requested($0, tag: "t\($0)") }.joined(separator: "\n") + "\n"
        #expect(try await cli.run(["events", "append", "--actor", "ana-maintainer", "--each"], input: input).status == 0)

        let child = cli.process(["notify", "--watch", "--interval", "50ms"])
        let stdout = Pipe()
        child.standardOutput = stdout
        child.standardError = FileHandle.nullDevice
        try child.start()
        let collector = OutputCollector(stdout.fileHandleForReading)
        await collector.wait(seconds: 60) { $0.complete.count >= 20 }
        kill(child.processIdentifier, SIGKILL)
        await child.exited()
        #expect(child.terminationReason == .uncaughtSignal)
        let beforeKill = collector.complete.count
        #expect(beforeKill >= 20 && beforeKill < count, "killed mid-delivery")

        let restarted = try await cli.run("notify")
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

    /// One notifier delivers at a time: the service's and a `shiplog notify` beside it share a lease.
    @Test func aSecondNotifierWaitsForTheLeaseAndTakesOverWhenTheFirstStops() async throws {
        let receiver = Receiver()
        let server = try await LoopbackHTTPServer.start { receiver.answer($0) }
        let cli = CLI()
        try await configure(cli, url: server.baseURL + "/hook")
        #expect(try await cli.run("notify").status == 0)
        let count = 60
        let input = (1...count).map { String.requested($0, tag: "t\($0)") }.joined(separator: "\n") + "\n"
        #expect(try await cli.run(["events", "append", "--actor", "ana-maintainer", "--each"], input: input).status == 0)

        func watcher() throws -> (Process, OutputCollector, OutputCollector) {
            let child = cli.process(["notify", "--watch", "--interval", "50ms"])
            let stdout = Pipe(), stderr = Pipe()
            child.standardOutput = stdout
            child.standardError = stderr
            try child.start()
            return (child, OutputCollector(stdout.fileHandleForReading), OutputCollector(stderr.fileHandleForReading))
        }
        let (first, firstOut, _) = try watcher()
        await firstOut.wait(seconds: 60) { $0.complete.count >= 5 }
        #expect(firstOut.complete.count >= 5)

        let once = try await cli.run("notify")
        #expect(once.status == 1)
        #expect(once.stdout.isEmpty)
        #expect(once.stderr.split(separator: "\n").count == 1 && once.stderr.contains("being delivered by \(first.processIdentifier)@"), "\(once.stderr)")

        let (second, secondOut, secondErr) = try watcher()
        await secondErr.wait(seconds: 30) { $0.output.contains("waiting: \(first.processIdentifier)@") }
        #expect(secondErr.output.contains("waiting: \(first.processIdentifier)@"), "\(secondErr.output)")
        #expect(secondOut.complete.isEmpty, "the second sends nothing while the first holds the lease")

        first.terminate()
        await first.exited()
        // Work only the second can do: appended after the first stopped.
        let more = 5
        let later = (count + 1...count + more).map { String.requested($0, tag: "t\($0)") }.joined(separator: "\n") + "\n"
        #expect(try await cli.run(["events", "append", "--actor", "ana-maintainer", "--each"], input: later).status == 0)
        let total = count + more
        let store = try EventStore(path: cli.database, access: .readOnly)
        let deadline = ContinuousClock.now + .seconds(60)
        while try store.events(EventFilter(type: "NotificationDelivered")).count < total, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        second.terminate()
        await second.exited()
        #expect(secondOut.complete.contains { $0.hasPrefix("hook: delivered") }, "the second took over: \(secondOut.output)")
        let delivered = try store.events(EventFilter(type: "NotificationDelivered")).map { try NotificationDelivered.decode(from: $0.data) }
        #expect(delivered.count == total && Set(delivered.map(\.deliveryId)).count == total, "each delivered and recorded once")
        let accepted = receiver.accepted.withLock { $0 }
        #expect(accepted.count == total, "the receiver got every notification")
        // The one in flight when the first was stopped may be sent again by the second (its answer
        // crossed the stop); none other is.
        #expect(accepted.values.reduce(0, +) - total <= 1, "no notification repeated but the one in flight at the stop")
        try await server.stop()
    }

    @Test func notifyWithoutSinksIsAOneLineError() async throws {
        let cli = CLI()
        try await cli.run("init")
        let output = try await cli.run("notify")
        #expect(output.status != 0)
        #expect(output.stderr.contains("has no notify.sinks: nothing to deliver"))
    }
}
