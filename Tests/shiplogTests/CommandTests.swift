import Foundation
import SQLite
import TestSupport
import Testing

@Suite(.serialized)
struct CommandTests {
    let cli = CLI()

    @Test func initCreatesTheLedgerAndACommentedExampleConfigThatMatchesTheSeed() async throws {
        let output = try await cli.run("init")
        #expect(output.status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.database))
        let config = try String(contentsOfFile: cli.directory.path("shiplog.yml"), encoding: .utf8)
        for expected in ["api:", "frontend:", "ingestion_server:", "staging:", "production:", "django: ghcr.io/wordpress/openverse-api",
                         "nginx: ghcr.io/wordpress/openverse-api_nginx", "staging-api-template", "stable_timeout: 15m", "# "] {
            #expect(config.contains(expected), "config mentions \(expected)")
        }
        let again = try await cli.run("init")
        #expect(again.status == 0)
        #expect(again.stdout.contains("already exists"))
        #expect(again.stdout.contains("kept the existing config"))
    }

    @Test func appendedEventsArePrintedBackWithPositionsAndShowInStatusAndHistory() async throws {
        try await cli.run("init")
        let input = [
            String.requested(1, tag: "rel-2026.11.27.10.00.00"),
            .event(stream: "deployment-1", type: "DeploymentStable",
                   data: #"{"task_definition_arn":"arn:aws:ecs:us-east-1:1:task-definition/staging-api:12"}"#),
        ].joined(separator: "\n")
        let appended = try await cli.run("events", "append", "--actor", "ana-maintainer", input: input)
        #expect(appended.status == 0, "\(appended.stderr)")
        let records = try appended.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(records.map { $0["position"] as? Int } == [1, 2])
        #expect(records.map { ($0["metadata"] as? [String: Any])?["actor"] as? String } == ["ana-maintainer", "ana-maintainer"])

        let status = try await cli.run("status", "--format", "json")
        let states = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(states.count == 1)
        #expect(states.first?["tag"] as? String == "rel-2026.11.27.10.00.00")
        #expect(states.first?["revision"] as? Int == 12)

        let history = try await cli.run("history", "--app", "api", "--env", "staging", "--format", "csv")
        #expect(history.status == 0)
        let rows = history.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.count == 2, "a header and one deployment")
        #expect(rows.first?.hasPrefix("id,app,env,tag") == true)
        #expect(rows.last?.contains("succeeded") == true)

        let table = try await cli.run("history")
        #expect(table.lines.first?.hasPrefix("ID") == true)
        #expect(table.lines.count == 2)

        let audit = try await cli.run("audit", "--actor", "ana-maintainer", "--format", "json")
        #expect(audit.stdout.contains(#""action" : "deploy""#))
    }

    @Test func theActorAndRunURLComeFromGitHubActionsVariables() async throws {
        var cli = self.cli
        cli.environment = ["GITHUB_ACTOR": "ana-maintainer", "GITHUB_SERVER_URL": "https://github.com",
                           "GITHUB_REPOSITORY": "WordPress/openverse-infrastructure", "GITHUB_RUN_ID": "4242", "GITHUB_SHA": "0a1b2c"]
        try await cli.run("init")
        let output = try await cli.run("events", "append", input: .requested(1))
        #expect(output.stdout.contains(#""actor":"ana-maintainer""#))
        #expect(output.stdout.contains(#""source":"https://github.com/WordPress/openverse-infrastructure/actions/runs/4242""#))
        #expect(output.stdout.contains(#""commit":"0a1b2c""#))
    }

    @Test func eventsFiltersByStreamTypeAndPosition() async throws {
        try await cli.run("init")
        try await cli.run("events", "append", "--actor", "ana-maintainer", input: [String.requested(1), .requested(2), .requested(3)].joined(separator: "\n"))
        #expect(try await cli.run("events", "--stream", "deployment-2").lines.count == 1)
        #expect(try await cli.run("events", "--after", "1").lines.count == 2)
        #expect(try await cli.run("events", "--type", "DeploymentStable").lines.isEmpty)
        #expect(try await cli.run("events", "--after", "1", "--limit", "1").stdout.contains(#""position":2"#))
    }

    @Test func anIdempotentRetryPrintsTheOriginalPositionsAndWritesNothingNew() async throws {
        try await cli.run("init")
        let first = try await cli.run("events", "append", "--actor", "ana-maintainer", "--idempotency-key", "run-9-step-3", input: .requested(1))
        let retry = try await cli.run("events", "append", "--actor", "ana-maintainer", "--idempotency-key", "run-9-step-3", input: .requested(1))
        #expect(retry.status == 0)
        #expect(retry.stdout == first.stdout)
        #expect(try await cli.eventCount() == 1)
    }

    @Test func followKeepsPrintingEventsAppendedLater() async throws {
        try await cli.run("init")
        try await cli.run("events", "append", "--actor", "ana-maintainer", input: .requested(1))
        let follower = cli.process(["events", "--follow"])
        let stdout = Pipe()
        follower.standardOutput = stdout
        try follower.start()
        try? stdout.fileHandleForWriting.close()
        defer { if follower.isRunning { follower.terminate() } }
        let collector = OutputCollector(stdout.fileHandleForReading)
        await collector.wait { $0.output.contains("deployment-1") }
        try await cli.run("events", "append", "--actor", "ana-maintainer", input: .requested(2))
        await collector.wait { $0.output.contains("deployment-2") }
        let seen = collector.output
        #expect(seen.contains("deployment-1"))
        #expect(seen.contains("deployment-2"))
        #expect(follower.isRunning, "--follow keeps running until stopped")
    }

    @Test func verifyPrintsTheHeadWhenIntactAndNamesTheFirstBadPositionWhenNot() async throws {
        try await cli.run("init")
        try await cli.run("events", "append", "--actor", "ana-maintainer", input: (1...4).map { String.requested($0) }.joined(separator: "\n"))
        let intact = try await cli.run("verify")
        #expect(intact.status == 0)
        #expect(intact.stdout.hasPrefix("intact: 4 events, head position 4, hash "))

        let db = try Connection(path: cli.database, mode: .readWrite(create: false))
        try db.execute("DROP TRIGGER events_no_update")
        try db.execute("UPDATE events SET data = replace(data, 'abc123', 'evil') WHERE position = 2")
        let broken = try await cli.run("verify")
        #expect(broken.status != 0)
        #expect(broken.stderr == "verification failed at position 2: its content does not match its hash\n")
    }

    @Test func theSQLiteShellCannotUpdateOrDeleteEvents() async throws {
        try await cli.run("init")
        try await cli.run("events", "append", "--actor", "ana-maintainer", input: .requested(1))
        let shell = try #require(["/usr/bin/sqlite3", "/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                 "the sqlite3 shell is missing (apt-get install sqlite3; scripts/test installs it)")
        for statement in ["UPDATE events SET type = 'Forged'", "DELETE FROM events"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: shell)
            process.arguments = [cli.database, statement]
            let output = try await process.output()
            #expect(output.status != 0)
            #expect(output.stderr.contains("append-only"))
        }
        #expect(try await cli.run("verify").status == 0)
    }

    @Test func rebuildReportsWhatItReplayedAndKeepsTheSameState() async throws {
        try await cli.run("init")
        try await cli.run("events", "append", "--actor", "ana-maintainer", input: [String.requested(1), .requested(2, env: "production")].joined(separator: "\n"))
        let before = try await cli.run("status", "--format", "json").stdout
        let rebuild = try await cli.run("rebuild")
        #expect(rebuild.status == 0)
        #expect(rebuild.stdout.hasPrefix("rebuilt environment_state, deployments, audit from 2 events (2 applied) in "))
        #expect(try await cli.run("status", "--format", "json").stdout == before)
    }

    @Test func optionsGoAfterTheSubcommand() async throws {
        try await cli.run("init")
        try await cli.run("events", "append", "--actor", "ana-maintainer", input: .requested(1))
        let output = try await cli.run(["events", "--db", cli.database], useDatabase: false)
        #expect(output.status == 0)
        #expect(output.lines.count == 1)
        let before = try await cli.run(["--db", cli.database, "events"], useDatabase: false)
        #expect(before.status == 64)
        #expect(before.stderr.hasPrefix("Error: Unknown option '--db'\n"), "\(before.stderr)")
        #expect(before.stdout.isEmpty)
    }
}

extension CommandTests {
    @Test func historyAndAuditFilterByTheActor() async throws {
        try await cli.run("init")
        try await cli.run("events", "append", "--actor", "cara-contributor", input: .requested(1))
        try await cli.run("events", "append", "--actor", "ben-maintainer", input: .requested(2, env: "production"))
        let history = try await cli.run("history", "--actor", "ben-maintainer", "--format", "json")
        #expect(history.stdout.contains("deployment-2"))
        #expect(!history.stdout.contains("deployment-1"))
        #expect(try await cli.run("audit", "--actor", "cara-contributor").lines.count == 2, "a header and cara's deploy")
        #expect(try await cli.run("events", "--actor", "ben-maintainer").lines.count == 1)
    }
}
