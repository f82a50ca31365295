import Foundation
import Ledger
import NIOHTTP1
import Notifications
import TestSupport
import Testing

@Suite struct CDEventsSchemaTests {
    private static let schemas = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "CDEventsSchemas")

    /// Whether `python3` can import `jsonschema` (with `referencing`), which the validation needs.
    static let validatorAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import jsonschema, referencing"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.start()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// In CI the validation must run: a missing validator fails the test instead of skipping it.
    static let mustRun = ProcessInfo.processInfo.environment["CI"] == "true"

    @Test(.enabled(if: CDEventsSchemaTests.validatorAvailable || CDEventsSchemaTests.mustRun, "python3 with jsonschema is needed to validate against the CDEvents schemas"))
    func everyCDEventSentValidatesAgainstTheSpecsSchemas() async throws {
        try #require(Self.validatorAvailable, "CI=true and python3 cannot import jsonschema and referencing (pip install jsonschema)")
        let ledger = try TestLedger()
        let receiver = try await Receiver.start()
        var sink = NotificationSink(name: "cdevents", kind: .cdevents, url: receiver.url)
        sink.dashboardURL = "https://shiplog.example.org"
        try await ledger.subscribeFromStart([sink])
        try await ledger.deployment(tag: "rel-1", ending: TestLedger.stable)
        try await ledger.deployment(tag: "rel-2", ending: TestLedger.stable)
        try await ledger.deployment(tag: "rel-1", trigger: .rollback, ending: TestLedger.stable)
        try await ledger.deployment(tag: "rel-3", ending: TestLedger.rolledBack)
        try await ledger.deployment(tag: "rel-4", ending: [DeploymentTimedOut(timeoutSeconds: 900)])
        _ = try await ledger.store.append([NewEvent(stream: "environment-api-staging", DriftDetected(
            app: "api", environment: "staging", desired: "staging-api:12", actual: "staging-api:9", differences: ["task definition"]))])

        try await Notifier(store: ledger.store, settings: NotificationSettings(sinks: [sink]), clock: InstantClock()).deliverPending()

        let requests = receiver.requests
        #expect(requests.map { $0.json["type"] as? String ?? "" } == [
            "dev.cdevents.service.deployed.0.2.0", "dev.cdevents.service.upgraded.0.2.0", "dev.cdevents.service.rolledback.0.2.0",
            "dev.cdevents.service.rolledback.0.2.0", "dev.cdevents.incident.detected.0.2.0",
            "dev.cdevents.incident.detected.0.2.0", "dev.cdevents.incident.detected.0.2.0",
        ])
        for request in requests {
            #expect(request.headers.first(name: "Content-Type")?.hasPrefix("application/cloudevents+json") == true)
            let cloudEvent = request.json
            #expect(cloudEvent["specversion"] as? String == "1.0")
            #expect(((cloudEvent["data"] as? [String: Any])?["context"] as? [String: Any])?["id"] as? String == cloudEvent["id"] as? String)
        }
        let directory = TemporaryDirectory()
        let files = try requests.enumerated().map { index, request in
            let path = directory.path("event-\(index).json")
            try Data(request.body.utf8).write(to: URL(filePath: path))
            return path
        }
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["python3", Self.schemas.appending(path: "validate.py").path, Self.schemas.path] + files
        let validation = try await process.output()
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
        try await receiver.stop()
    }
}
