import Foundation
import Ledger
import TestSupport
import Testing

/// `shiplog verification record|list|gates`, and `shiplog promote` held by production's gates.
@Suite(.serialized)
struct VerificationCommandTests {
    let cli = CLI()

    init() async throws {
        try await cli.run("init")
        let path = cli.directory.path("shiplog.yml")
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "# gates: [e2e]", with: "gates: [e2e]")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func record(_ outcome: String, tag: String = "3f9c2e1", actor: String = "cara-contributor") async throws -> CLI.Output {
        try await cli.run("verification", "record", "--app", "frontend", "--env", "staging", "--tag", tag, "--name", "e2e", "--outcome", outcome,
                    "--url", "https://github.com/WordPress/openverse/actions/runs/7", "--actor", actor)
    }

    @Test func aResultIsRecordedAndListed() async throws {
        let recorded = try await record("passed")
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(recorded.stdout.hasPrefix("recorded e2e passed for frontend staging 3f9c2e1 (position "))
        let events = try await cli.run("events", "--type", "VerificationRecorded")
        #expect(events.lines.count == 1)
        #expect(events.stdout.contains(#""stream":"verification-frontend-staging""#))
        #expect(events.stdout.contains(#""actor":"cara-contributor""#))
        let listed = try await cli.run("verification", "list", "--app", "frontend", "--format", "csv")
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = listed.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.count == 2)
        #expect(rows.first == "name,tag,outcome,recorded by,recorded at,url")
        #expect(rows.last?.hasPrefix("e2e,3f9c2e1,passed,cara-contributor,") == true)
    }

    @Test func badInputIsOneLineAndWritesNothing() async throws {
        let before = try await cli.eventCount()
        let cases: [([String], String)] = [
            (["--app", "catalog", "--env", "staging", "--tag", "t", "--name", "e2e", "--outcome", "passed"], "Error: unknown app 'catalog' (known: api, frontend, ingestion_server)\n"),
            (["--app", "frontend", "--env", "qa", "--tag", "t", "--name", "e2e", "--outcome", "passed"], "Error: app frontend has no environment 'qa' (known: production, staging)\n"),
            (["--app", "frontend", "--env", "staging", "--tag", "t", "--name", "e2e", "--outcome", "flaky"], "Error: The value 'flaky' is invalid for '--outcome <outcome>'"),
            (["--app", "frontend", "--env", "staging", "--tag", "t", "--name", "e2e", "--outcome", "passed", "--url", "not a url"], "Error: the verification's url must be an http(s) URL of at most 2048 bytes, not 'not a url'\n"),
        ]
        for (arguments, message) in cases {
            let output = try await cli.run(["verification", "record"] + arguments + ["--actor", "ana-maintainer"])
            #expect(output.status != 0)
            // ArgumentParser follows a value it cannot parse with the usage; the command's own refusals are one line.
            if arguments.contains("flaky") {
                #expect(output.stderr.hasPrefix(message), "\(output.stderr)")
            } else {
                #expect(output.stderr == message)
            }
        }
        #expect(try await cli.eventCount() == before)
    }

    @Test func someoneWhoMayNotRecordIsRefusedAndTheRefusalRecorded() async throws {
        let output = try await record("passed", actor: "mallory")
        #expect(output.status != 0)
        #expect(output.stderr.hasPrefix("Error: access denied: mallory is neither a deployer nor a maintainer"), "\(output.stderr)")
        #expect(try await cli.run("events", "--type", "VerificationRecorded").lines.isEmpty)
        #expect(try await cli.run("events", "--type", "AccessDenied").lines.count == 1)
    }

    @Test func promoteWaitsForTheGatesRefusingOnOneLineAndRecordingWhatIsMissing() async throws {
        #expect(try await cli.run("deploy", "frontend", "--env", "staging", "--tag", "3f9c2e1", "--actor", "ana-maintainer").status == 0)
        let gates = try await cli.run("verification", "gates", "frontend", "--actor", "ana-maintainer")
        #expect(gates.status == 1)
        #expect(gates.stdout == "e2e  missing\n")
        #expect(gates.stderr == "gates not passed for 3f9c2e1 in staging: e2e missing\n")

        let refused = try await cli.run("promote", "frontend", "--actor", "ana-maintainer")
        #expect(refused.status == 1)
        #expect(refused.stderr == "Error: promotion of frontend refused: gates not passed for 3f9c2e1 in staging: e2e missing; nothing was deployed "
            + "(record a result with `shiplog verification record` or POST /api/v1/verifications)\n")
        let denied = try await cli.run("events", "--type", "AccessDenied")
        #expect(denied.lines.count == 1)
        #expect(denied.stdout.contains(#""reason":"gates not passed for 3f9c2e1 in staging: e2e missing""#))

        await #expect(try record("failed").status == 0)
        #expect(try await cli.run("promote", "frontend", "--actor", "ana-maintainer").stderr.contains("e2e failed"))
        await #expect(try record("passed").status == 0)
        #expect(try await cli.run("verification", "gates", "frontend", "--actor", "ana-maintainer").status == 0)
        let promoted = try await cli.run("promote", "frontend", "--actor", "ana-maintainer")
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(promoted.lines.last?.contains("frontend production runs 3f9c2e1") == true, "\(promoted.stdout)")
    }
}
