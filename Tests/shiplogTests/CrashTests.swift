import Foundation
import Ledger
import TestSupport
import Testing

/// "Nothing acknowledged is ever lost": an append that returned success
/// survives a SIGKILL of the process at any moment.
struct CrashTests {
    @Test func aKilledProcessLosesNoAcknowledgedAppend() async throws {
        signal(SIGPIPE, SIG_IGN)
        let cli = CLI()
        try await cli.run("init")
        let child = cli.process(["events", "append", "--actor", "ana-maintainer", "--each", "--concurrency", "32"])
        let stdin = Pipe(), stdout = Pipe()
        child.standardInput = stdin
        child.standardOutput = stdout
        child.standardError = FileHandle.nullDevice
        try child.start()

        // Feed events for as long as the child lives.
        let writer = Thread {
            var number = 0
            while true {
                number += 1
                let line = String.requested(number) + "\n"
                let written = line.withCString { write(stdin.fileHandleForWriting.fileDescriptor, $0, strlen($0)) }
                if written < 0 { return }
            }
        }
        writer.start()

        // Read acknowledgements until enough have arrived, then kill mid-stream.
        try? stdin.fileHandleForReading.close()
        try? stdout.fileHandleForWriting.close()
        let collector = OutputCollector(stdout.fileHandleForReading)
        await collector.wait(seconds: 60) { $0.complete.count >= 400 }
        kill(child.processIdentifier, SIGKILL)
        await child.exited()
        #expect(child.terminationReason == .uncaughtSignal)
        let acknowledged = try collector.complete.map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return (position: Int64(object["position"] as? Int ?? 0), id: object["id"] as? String ?? "")
        }
        #expect(acknowledged.count >= 400, "the child acknowledged appends before it was killed")

        let store = try EventStore(path: cli.database, access: .readOnly)
        let stored = Dictionary(uniqueKeysWithValues: try store.events().map { ($0.position, $0.id) })
        for ack in acknowledged {
            #expect(stored[ack.position] == ack.id, "acknowledged position \(ack.position) survived")
        }
        #expect(stored.count >= acknowledged.count)
        #expect(try store.verify().isIntact)
    }
}
