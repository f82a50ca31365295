import Foundation
import Ledger
import TestSupport
import Testing

/// keys, checkpoint, proof, export and audit-verify, run as the built binary.
@Suite(.serialized)
struct ReportCommandTests {
    let cli = CLI()

    /// A ledger with a few deployments recorded through `events append`.
    private func seed() async throws {
        try await cli.run("init")
        var lines: [String] = []
        for number in 1...6 {
            let env = number % 2 == 0 ? "production" : "staging"
            lines.append(.requested(number, env: env, tag: "rel-\(number)"))
            lines.append(.event(stream: "deployment-\(number)", type: number == 4 ? "DeploymentFailed" : "DeploymentStable",
                                data: number == 4 ? #"{"stage":"stabilize","reason":"unhealthy"}"#
                                                  : #"{"task_definition_arn":"arn:aws:ecs:us-east-1:1:task-definition/\#(env)-api:\#(number)"}"#,
                                metadata: #"{"commit":"c\#(number)","committed_at":"2026-11-01T00:00:00Z"}"#))
        }
        let appended = try await cli.run("events", "append", "--actor", "ana-maintainer", input: lines.joined(separator: "\n"))
        #expect(appended.status == 0, "\(appended.stderr)")
    }

    @Test func aDeploymentReceiptChecksOfflineAndATamperedOneFails() async throws {
        try await seed()
        let (key, pub) = try await createKeys()
        let unsigned = try await cli.run("proof", "deployment", "deployment-2")
        #expect(unsigned.status != 0)
        #expect(unsigned.stderr.contains("no stored checkpoint covers deployment-2"), "\(unsigned.stderr)")

        let path = cli.directory.path("receipt.json")
        let made = try await cli.run("proof", "deployment", "2", "--key", key, "--output", path)
        #expect(made.status == 0, "\(made.stderr)")
        let checked = try await cli.run("audit-verify", "--receipt", path, "--public-key", pub, useDatabase: false)
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.hasPrefix("verified: 2 events of deployment-2 are in the signed tree of size 12"), "\(checked.stdout)")

        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "rel-2", with: "rel-9").write(toFile: path, atomically: true, encoding: .utf8)
        let tampered = try await cli.run("audit-verify", "--receipt", path, "--public-key", pub, useDatabase: false)
        #expect(tampered.status == 1)
        #expect(tampered.stderr.hasPrefix("audit failed: event at position 3: its content does not match its hash"), "\(tampered.stderr)")

        let stored = try await cli.run("proof", "deployment", "deployment-2")
        #expect(stored.status == 0, "the checkpoint signed above is stored and covers it: \(stored.stderr)")
    }

    private func createKeys() async throws -> (key: String, pub: String) {
        let created = try await cli.run("keys", "create", "--out", cli.directory.path(""), "--name", "shiplog.test", useDatabase: false)
        #expect(created.status == 0, "\(created.stderr)")
        return (cli.directory.path("shiplog.test.key"), cli.directory.path("shiplog.test.pub"))
    }

    @Test func keysCreateWritesAPrivateKeyOnlyItsOwnerCanRead() async throws {
        let (key, pub) = try await createKeys()
        let privateMode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
        #expect(privateMode == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: pub)[.posixPermissions] as? Int == 0o644)
        #expect(try String(contentsOfFile: key, encoding: .utf8).hasPrefix("PRIVATE+KEY+shiplog.test+"))
        let verifier = try NoteVerifier(keyText: try String(contentsOfFile: pub, encoding: .utf8))
        #expect(verifier.name == "shiplog.test")

        let before = try String(contentsOfFile: key, encoding: .utf8)
        let again = try await cli.run("keys", "create", "--out", cli.directory.path(""), "--name", "shiplog.test", useDatabase: false)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
        #expect(try String(contentsOfFile: key, encoding: .utf8) == before, "an existing key is never overwritten")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path("")).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)

        let missing = try await cli.run("keys", "create", "--out", cli.directory.path("no/such/dir"), useDatabase: false)
        #expect(missing.status != 0)
        #expect(missing.stderr.split(separator: "\n").count == 1)
    }

    @Test func aCheckpointIsSignedStoredAndPrinted() async throws {
        try await seed()
        let (key, pub) = try await createKeys()
        let output = try await cli.run("checkpoint", "--key", key, "--output", cli.directory.path("checkpoint.txt"))
        #expect(output.status == 0, "\(output.stderr)")
        let verifier = try NoteVerifier(keyText: try String(contentsOfFile: pub, encoding: .utf8))
        let checkpoint = try Checkpoint(body: try verifier.open(output.stdout))
        #expect(checkpoint.origin == "shiplog.test")
        #expect(checkpoint.size == 12)
        #expect(try String(contentsOfFile: cli.directory.path("checkpoint.txt"), encoding: .utf8) == output.stdout)
        #expect(output.stdout.contains("\n\n— shiplog.test "))

        let wrongKey = try await cli.run("checkpoint", "--key", pub)
        #expect(wrongKey.status != 0)
        #expect(wrongKey.stderr.contains("not a signer key"))
    }

    @Test func proofsPrintedByTheCLIVerify() async throws {
        try await seed()
        let inclusion = try await cli.run("proof", "inclusion", "5", "--tree-size", "9", "--json")
        #expect(inclusion.status == 0, "\(inclusion.stderr)")
        let proof = try #require(try JSONSerialization.jsonObject(with: Data(inclusion.stdout.utf8)) as? [String: Any])
        let path = (proof["path"] as? [String] ?? []).compactMap { [UInt8](hexText: $0) }
        #expect(Merkle.verifyInclusion(index: 4, size: 9, leafHash: [UInt8](hexText: proof["leaf_hash"] as? String ?? "") ?? [],
                                       proof: path, root: [UInt8](hexText: proof["root"] as? String ?? "") ?? []))

        let consistency = try await cli.run("proof", "consistency", "3", "12", "--json")
        #expect(consistency.status == 0, "\(consistency.stderr)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(consistency.stdout.utf8)) as? [String: Any])
        #expect(Merkle.verifyConsistency(
            oldSize: 3, newSize: 12, oldRoot: [UInt8](hexText: body["old_root"] as? String ?? "") ?? [],
            newRoot: [UInt8](hexText: body["new_root"] as? String ?? "") ?? [],
            proof: (body["path"] as? [String] ?? []).compactMap { [UInt8](hexText: $0) }))
        #expect(try await cli.run("proof", "inclusion", "1").lines.first == "position 1 (leaf index 0)")
    }

    @Test(arguments: [
        (["proof", "inclusion", "13"], "no event at position 13 (the log has 12 events)"),
        (["proof", "inclusion", "0"], "no event at position 0 (the log has 12 events)"),
        (["proof", "inclusion", "5", "--tree-size", "4"], "position 5 is not in a tree of size 4"),
        (["proof", "inclusion", "5", "--tree-size", "99"], "tree size 99 is beyond the log (it has 12 events)"),
        (["proof", "consistency", "8", "3"], "the old size 8 is larger than the new size 3"),
        (["proof", "consistency", "3", "40"], "tree size 40 is beyond the log (it has 12 events)"),
    ])
    func badProofRequestsGetAOneLineError(arguments: [String], message: String) async throws {
        try await seed()
        let output = try await cli.run(arguments)
        #expect(output.status != 0)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.split(separator: "\n").count == 1)
        #expect(output.stderr.contains(message))
    }

    @Test func aSignedJSONExportPassesTheOfflineAuditAndATamperedOneFailsNamingWhy() async throws {
        try await seed()
        let (key, pub) = try await createKeys()
        let oldCheckpoint = try await cli.run("checkpoint", "--key", key, "--output", cli.directory.path("old.checkpoint"))
        #expect(oldCheckpoint.status == 0)
        try await cli.run("events", "append", "--actor", "ana-maintainer", input: .requested(7, env: "production", tag: "rel-7"))
        let exportPath = cli.directory.path("export.json")
        let export = try await cli.run("export", "--format", "json", "--key", key, "--output", exportPath)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.isEmpty)

        let audit = try await cli.run(["audit-verify", "--export", exportPath, "--public-key", pub,
                                 "--previous-checkpoint", cli.directory.path("old.checkpoint")], useDatabase: false)
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(audit.stdout.contains("verified: 13 events and 7 deployments"))
        #expect(audit.stdout.contains("extends the previous checkpoint of size 12"))

        // Change one row of the exported evidence: the audit fails with one line saying which.
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: exportPath))) as? [String: Any])
        var evidence = try #require(document["evidence"] as? [String: Any])
        var events = try #require(evidence["events"] as? [[String: Any]])
        events[3]["recorded_at"] = "2026-01-01T00:00:00.000000Z"
        evidence["events"] = events
        document["evidence"] = evidence
        let tamperedPath = cli.directory.path("tampered.json")
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: tamperedPath))
        let failed = try await cli.run(["audit-verify", "--export", tamperedPath, "--public-key", pub], useDatabase: false)
        #expect(failed.status == 1)
        #expect(failed.stdout.isEmpty)
        #expect(failed.stderr == "audit failed: changed row: position 4 does not hash to its recorded hash\n")

        // Drop the last event: a truncated log.
        events = try #require(evidence["events"] as? [[String: Any]])
        evidence["events"] = Array(events.dropLast())
        document["evidence"] = evidence
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: tamperedPath))
        let truncated = try await cli.run(["audit-verify", "--export", tamperedPath, "--public-key", pub], useDatabase: false)
        #expect(truncated.status == 1)
        #expect(truncated.stderr.hasPrefix("audit failed: "))
        #expect(truncated.stderr.split(separator: "\n").count == 1)
    }

    @Test func badAuditInputGetsAOneLineError() async throws {
        try await seed()
        let (key, pub) = try await createKeys()
        let exportPath = cli.directory.path("export.json")
        try await cli.run("export", "--key", key, "--output", exportPath)
        try Data("{\"schema\": 1}".utf8).write(to: URL(fileURLWithPath: cli.directory.path("bad.json")))
        let other = try await cli.run("keys", "create", "--out", cli.directory.path(""), "--name", "other", useDatabase: false)
        #expect(other.status == 0)
        let cases: [([String], String)] = [
            (["--export", cli.directory.path("bad.json"), "--public-key", pub], "malformed export"),
            (["--export", cli.directory.path("missing.json"), "--public-key", pub], "cannot read the export"),
            (["--export", exportPath, "--public-key", key], "this is a private signer key"),
            (["--export", exportPath, "--public-key", cli.directory.path("other.pub")], "has no signature by key 'other'"),
        ]
        for (arguments, message) in cases {
            let output = try await cli.run(["audit-verify"] + arguments, useDatabase: false)
            #expect(output.status != 0, "\(arguments)")
            #expect(output.stderr.split(separator: "\n").count == 1, "\(output.stderr)")
            #expect(output.stderr.contains(message), "\(output.stderr)")
        }
    }

    @Test func badExportOptionsWriteNothing() async throws {
        try await seed()
        let target = cli.directory.path("out.csv")
        for arguments in [["export", "--format", "xml", "--output", target], ["export", "--since", "yesterday", "--output", target],
                          ["export", "--key", cli.directory.path("nope.key"), "--output", target]] {
            let output = try await cli.run(arguments)
            #expect(output.status != 0)
            #expect(output.stderr.hasPrefix("Error: "), "\(output.stderr)")
            #expect(!FileManager.default.fileExists(atPath: target))
        }
    }

    @Test func everyFormatExportsTheDeployments() async throws {
        try await seed()
        for format in ["csv", "json", "markdown", "html"] {
            let output = try await cli.run("export", "--format", format, "--app", "api", "--env", "production")
            #expect(output.status == 0, "\(format): \(output.stderr)")
            #expect(output.stdout.contains("rel-4"), "\(format)")
            #expect(!output.stdout.contains("rel-1"), "\(format) leaves out staging")
        }
    }

    /// The HTML report rendered by a real browser: the screenshot is kept under
    /// artifacts/, and the DOM the browser built holds the three charts.
    @Test(.enabled(if: HeadlessChromium.path != nil || ProcessInfo.processInfo.environment["CI"] == "true",
                   "chromium is not installed (CI=true requires it)"))
    func theHTMLReportRendersWithItsChartsInHeadlessChromium() async throws {
        let chromium = try #require(HeadlessChromium.path, "chromium is not installed: scripts/test installs it")
        try await seed()
        let html = cli.directory.path("report.html")
        let export = try await cli.run("export", "--format", "html", "--output", html)
        #expect(export.status == 0, "\(export.stderr)")

        let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../artifacts").standardized
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appending(path: "report.png").path
        try? FileManager.default.removeItem(atPath: screenshot)
        let shot = try await HeadlessChromium.run(chromium, ["--screenshot=\(screenshot)", "--window-size=1400,1800", "file://\(html)"])
        #expect(shot.status == 0, "\(shot.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int ?? 0
        #expect(size > 10_000, "a screenshot of a rendered page")

        let dom = try await HeadlessChromium.run(chromium, ["--dump-dom", "file://\(html)"])
        #expect(dom.status == 0)
        for chart in ["chart-deployments-per-day", "chart-durations", "chart-dora-by-week"] {
            #expect(dom.stdout.contains("<svg id=\"\(chart)\""), "\(chart) is in the rendered DOM")
        }
        #expect(dom.stdout.contains("<rect"))

        // The golden report of the scripted two-week history, whose charts have more to show.
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../ReportsTests/Golden/report.html").standardized
        let goldenShot = artifacts.appending(path: "report-golden.png").path
        let goldenRun = try await HeadlessChromium.run(chromium, ["--screenshot=\(goldenShot)", "--window-size=1400,2400", golden.absoluteString])
        #expect(goldenRun.status == 0, "\(goldenRun.stderr)")
        let goldenDOM = try await HeadlessChromium.run(chromium, ["--dump-dom", golden.absoluteString])
        #expect(goldenDOM.stdout.contains("polyline class=\"change-failure-rate\""))
        #expect(goldenDOM.stdout.components(separatedBy: "<rect").count > 10)
    }
}

extension [UInt8] {
    init?(hexText: String) {
        guard hexText.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hexText.startIndex
        while index < hexText.endIndex {
            let next = hexText.index(index, offsetBy: 2)
            guard let byte = UInt8(hexText[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self = bytes
    }
}
