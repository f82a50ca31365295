import Foundation
import Ledger
@testable import Reports
import TestSupport
import Testing

/// Exports are written as the ledger is read and audited as the file is read:
/// the events pass through a chunk at a time, and the bytes are those of the
/// report rendered whole.
struct StreamingExportTests {
    /// A ledger of `deployments` deployments, two events each: about 1.5 MB of JSON export for 1,500.
    static func largeLedger(deployments: Int = 1500) async throws -> (TemporaryDirectory, EventStore) {
        let directory = TemporaryDirectory()
        let store = try EventStore(path: directory.path("ledger.sqlite"), access: .readWrite(create: true))
        let metadata = EventMetadata(actor: "openverse-bot", onBehalfOf: "ana")
        let events = (0..<deployments).flatMap { number in
            let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api:\(number + 1)"
            return [
                NewEvent(stream: "deployment-\(number)", DeploymentRequested(app: "api", environment: "staging", tag: "rel-\(number)", trigger: .release), metadata: metadata),
                NewEvent(stream: "deployment-\(number)", DeploymentStable(taskDefinitionArn: arn, revision: number + 1), metadata: metadata),
            ]
        }
        for start in stride(from: 0, to: events.count, by: 500) {
            _ = try await store.append(Array(events[start..<min(start + 500, events.count)]))
        }
        return (directory, store)
    }

    @Test(arguments: ReportFormat.allCases)
    func aStreamedExportIsByteForByteTheRenderedReport(format: ReportFormat) async throws {
        let (history, store) = try await ScriptedHistory.make()
        defer { withExtendedLifetime(history) {} }
        let request = ReportRequest(since: ScriptedHistory.since, until: ScriptedHistory.until, includesEvents: format.carriesEvents,
                                    generatedAt: ScriptedHistory.generatedAt)
        var streamed: [UInt8] = []
        try format.write(request, from: store, to: ReportOutput { streamed += $0 })
        #expect(streamed == (try format.renderBytes(try ReportBuilder.build(request, from: store))))
    }

    @Test func theJSONExportHandsOnChunksWhileTheEventsAreStillBeingRead() async throws {
        let (directory, store) = try await Self.largeLedger()
        defer { withExtendedLifetime(directory) {} }
        let request = ReportRequest(generatedAt: ScriptedHistory.generatedAt)
        var eventsRead = 0, eventsReadAtEachChunk: [Int] = [], chunkSizes: [Int] = [], largestRow = 0
        try ReportBuilder.read(request, from: store) { report, events in
            let output = ReportOutput { chunk in
                eventsReadAtEachChunk.append(eventsRead)
                chunkSizes.append(chunk.count)
            }
            try ReportFormat.json.write(report, events: { visit in
                try withoutActuallyEscaping(visit) { visit in
                    try events { event in
                        eventsRead += 1
                        var row: [UInt8] = []
                        event.appendJSON(to: &row)
                        largestRow = max(largestRow, row.count)
                        try visit(event)
                    }
                }
            }, to: output)
        }
        #expect(eventsRead == 3000)
        #expect(chunkSizes.reduce(0, +) > 20 * ReportOutput.chunkSize, "a report of many chunks")
        #expect(chunkSizes.allSatisfy { $0 < ReportOutput.chunkSize + largestRow + 16 }, "no chunk holds more than a chunk and a row")
        let whileReading = eventsReadAtEachChunk.filter { $0 > 0 && $0 < eventsRead }
        #expect(whileReading.count > 10, "chunks go out between events, not after all of them are read")
    }

    @Test func anExportReadFromItsFileVerifiesAsTheWholeReportDoes() async throws {
        let (directory, store) = try await Self.largeLedger()
        defer { withExtendedLifetime(directory) {} }
        let signer = try NoteSigner(generatingKeyNamed: "shiplog.test")
        let request = ReportRequest(since: "2026-01-01T00:00:00Z", signer: signer)
        let path = directory.path("export.json")
        FileManager.default.createFile(atPath: path, contents: nil)
        let file = try #require(FileHandle(forWritingAtPath: path))
        try ReportFormat.json.write(request, from: store, to: ReportOutput { try file.write(contentsOf: $0) })
        try file.close()

        let reader = try ExportReader(path: path)
        let head = try reader.head()
        #expect(head.evidence.events.isEmpty, "the head leaves the events in the file")
        var read = 0
        try reader.forEachEvent { _ in read += 1 }
        #expect(read == 3000)

        let whole = try Report.decode(jsonText: try Data(contentsOf: URL(fileURLWithPath: path)))
        var withoutEvents = whole
        withoutEvents.evidence.events = []
        #expect(head == withoutEvents)
        let streamed = try AuditVerifier(publicKey: signer.verifier).verify(head: head) { try reader.forEachEvent($0) }
        #expect(streamed == (try AuditVerifier(publicKey: signer.verifier).verify(whole)))
        #expect(streamed.events == 3000 && streamed.deployments == 1500)
    }

    @Test func aTamperedEventInTheFileIsNamedAsInTheWholeReport() async throws {
        let (directory, store) = try await Self.largeLedger(deployments: 50)
        defer { withExtendedLifetime(directory) {} }
        let signer = try NoteSigner(generatingKeyNamed: "shiplog.test")
        let report = try ReportBuilder.build(ReportRequest(signer: signer), from: store)
        var tampered = report
        tampered.evidence.events[40].recordedAt = "2026-01-01T00:00:00.000000Z"
        tampered.evidence.events.swapAt(70, 71)
        let path = directory.path("tampered.json")
        try Data(tampered.jsonBytes()).write(to: URL(fileURLWithPath: path))

        let reader = try ExportReader(path: path)
        let verifier = AuditVerifier(publicKey: signer.verifier)
        let fromFile = #expect(throws: TransparencyError.self) { try verifier.verify(head: try reader.head()) { try reader.forEachEvent($0) } }
        let whole = #expect(throws: TransparencyError.self) { try verifier.verify(tampered) }
        #expect(fromFile?.message == "reordered rows: position 71 comes after position 72")
        #expect(fromFile == whole)
    }
}
