import CSV
import Foundation
import Ledger
import Reports
import Testing

/// Each export format of the scripted history, compared with the file
/// committed under Golden/. To accept a deliberate change, run the tests with
/// SHIPLOG_UPDATE_GOLDEN=1 and review the diff.
struct GoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Golden")

    @Test(arguments: ReportFormat.allCases)
    func theExportMatchesItsGoldenFile(format: ReportFormat) async throws {
        let (history, store) = try await ScriptedHistory.make()
        defer { withExtendedLifetime(history) {} }
        let report = try ReportBuilder.build(ReportRequest(
            since: ScriptedHistory.since, until: ScriptedHistory.until, includesEvents: format.carriesEvents,
            generatedAt: ScriptedHistory.generatedAt), from: store)
        let rendered = try format.render(report)
        let file = Self.directory.appending(path: "report.\(format.rawValue)")
        if ProcessInfo.processInfo.environment["SHIPLOG_UPDATE_GOLDEN"] == "1" {
            try Data(rendered.utf8).write(to: file)
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(rendered == golden, "regenerate with SHIPLOG_UPDATE_GOLDEN=1 if the change is intended")
    }

    @Test func theJSONExportDecodesBackToTheSameReport() async throws {
        let (history, store) = try await ScriptedHistory.make()
        defer { withExtendedLifetime(history) {} }
        let report = try ReportBuilder.build(ReportRequest(generatedAt: ScriptedHistory.generatedAt), from: store)
        #expect(try Report.decode(jsonText: Data(report.jsonText().utf8)) == report)
    }

    @Test func deploymentsOverFifteenMinutesAreFlagged() async throws {
        let (history, store) = try await ScriptedHistory.make()
        defer { withExtendedLifetime(history) {} }
        let report = try ReportBuilder.build(ReportRequest(generatedAt: ScriptedHistory.generatedAt), from: store)
        #expect(report.deployments.filter(\.overFifteenMinutes).map(\.id) == ["deployment-2", "deployment-7"])
        #expect(try ReportFormat.markdown.render(report).contains("20m00s ⚠"))
    }

    @Test func theCSVIsRFC4180() async throws {
        let (history, store) = try await ScriptedHistory.make()
        defer { withExtendedLifetime(history) {} }
        let report = try ReportBuilder.build(ReportRequest(generatedAt: ScriptedHistory.generatedAt), from: store)
        let csv = try ReportFormat.csv.render(report)
        #expect(csv.hasPrefix("record,app,environment,id,"))
        #expect(csv.contains("\r\n"))
        // The checkpoint's lines sit inside one quoted field.
        #expect(csv.contains("checkpoint,,,,,,,,,,,,,,,,,,,,,,,,,,\"shiplog\n"))
        // CSV.swift's RFC 4180 reader gets every field back.
        let reader = try CSVReader(string: csv, hasHeaderRow: true)
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        #expect(rows.allSatisfy { $0.count == reader.headerRow?.count })
        #expect(rows.filter { $0[0] == "deployment" }.map { $0[3] } == report.deployments.map(\.id))
        #expect(rows.first { $0[3] == "deployment-9" }?[14] == "AccessDeniedException: not authorized to perform ecs:RegisterTaskDefinition")
        #expect(rows.last?[0] == "checkpoint")
        #expect(rows.last?.last == report.checkpoint.note)
    }
}

/// The offline fold gives what the projection gives.
struct DeploymentFoldTests {
    @Test func foldingTheEventsGivesTheProjectedDeployments() async throws {
        let (history, store) = try await ScriptedHistory.make()
        defer { withExtendedLifetime(history) {} }
        var fold = DeploymentFold()
        for event in try store.events() { try fold.apply(event) }
        let projected = Array(try store.deployments(DeploymentFilter(limit: 100)).reversed())
        #expect(fold.deployments.map(ReportDeployment.init) == projected.map(ReportDeployment.init))
        #expect(fold.deployments.map(\.taskDefinitionArn) == projected.map(\.taskDefinitionArn))
    }
}
