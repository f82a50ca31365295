import Foundation
import TestSupport
import Testing

/// Every kind of bad input gets a one-line error, a non-zero exit, and writes nothing.
@Suite(.serialized)
struct BadInputTests {
    let cli = CLI()

    init() async throws {
        try await cli.run("init")
        try await cli.run("events", "append", "--actor", "ana-maintainer", input: .requested(1))
    }

    func expectRefused(_ output: CLI.Output, saying message: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(output.status != 0, sourceLocation: sourceLocation)
        #expect(output.stderr.hasSuffix("\n") && output.stderr.dropLast().split(separator: "\n").count == 1,
                "one line: \(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.contains(message), "\(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(try await cli.eventCount() == 1, "nothing was written", sourceLocation: sourceLocation)
    }

    @Test func malformedJSON() async throws {
        try await expectRefused(try await cli.run("events", "append", "--actor", "ana-maintainer", input: #"{"stream": "deployment-2", "type": "#), saying: "line 1: the line is not valid JSON")
    }

    @Test func anUnknownEventType() async throws {
        try await expectRefused(try await cli.run("events", "append", "--actor", "ana-maintainer", input: .event(stream: "s", type: "DeploymentStabel", data: "{}")),
                          saying: "unknown event type 'DeploymentStabel' (did you mean 'DeploymentStable'?)")
    }

    @Test func aMissingField() async throws {
        try await expectRefused(try await cli.run("events", "append", "--actor", "ana-maintainer", input: .event(stream: "s", type: "DeploymentRequested", data: #"{"app":"api"}"#)),
                          saying: "DeploymentRequested: missing field 'environment'")
    }

    @Test func aBadLineAmongGoodOnesWritesNoneOfThem() async throws {
        let input = [String.requested(2), .requested(3), "{oops"].joined(separator: "\n")
        try await expectRefused(try await cli.run("events", "append", "--actor", "ana-maintainer", input: input), saying: "line 3:")
    }

    @Test func aWrongExpectedVersion() async throws {
        try await expectRefused(try await cli.run("events", "append", "--actor", "ana-maintainer", "--expected-version", "no-stream", input: .requested(1)),
                          saying: "wrong expected version for stream 'deployment-1': expected no stream, but the stream is at version 1")
    }

    @Test func aReusedIdempotencyKeyWithOtherContent() async throws {
        try await cli.run("events", "append", "--actor", "ana-maintainer", "--idempotency-key", "k1", input: .requested(5))
        let output = try await cli.run("events", "append", "--actor", "ana-maintainer", "--idempotency-key", "k1", input: .requested(6))
        #expect(output.status != 0)
        #expect(output.stderr.contains("idempotency key 'k1' was already used for different events"))
        #expect(try await cli.eventCount() == 2)
    }

    @Test func aFileThatIsNotASQLiteDatabase() async throws {
        let path = cli.directory.path("notes.sqlite")
        try Data(String(repeating: "definitely not a database\n", count: 10).utf8).write(to: URL(fileURLWithPath: path))
        let output = try await cli.run("events", "append", "--actor", "ana-maintainer", "--db", path, input: .requested(2))
        #expect(output.status != 0)
        #expect(output.stderr == "Error: \(path) is not a shiplog ledger: the file is not a SQLite database\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("definitely not a database"))
    }

    @Test func aMissingDatabasePath() async throws {
        let path = cli.directory.path("missing/nowhere.sqlite")
        for command in [["status"], ["events", "append", "--actor", "ana-maintainer"], ["verify"], ["history"]] {
            let output = try await cli.run(command + ["--db", path], input: .requested(2))
            #expect(output.status != 0)
            #expect(output.stderr == "Error: \(path) is not a shiplog ledger: no such file (run `shiplog init` to create a ledger)\n")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aReadOnlyLocation() async throws {
        // /proc is read-only even for root, so this holds wherever the tests run.
        let output = try await cli.run("init", "--db", "/proc/shiplog/ledger.sqlite")
        #expect(output.status != 0)
        #expect(output.stderr.contains("cannot create the file"))
        #expect(output.stderr.split(separator: "\n").count == 1)
    }

    @Test func aMissingInputFile() async throws {
        try await expectRefused(try await cli.run("events", "append", "--actor", "ana-maintainer", "--file", cli.directory.path("nope.jsonl")), saying: "cannot read")
    }

    @Test func badOptionValues() async throws {
        for arguments in [["history", "--outcome", "exploded"], ["history", "--since", "yesterday-ish"], ["history", "--limit", "-5"],
                          ["events", "append", "--actor", "ana-maintainer", "--expected-version", "soon"], ["status", "--format", "xml"]] {
            let output = try await cli.run(arguments, input: .requested(2))
            #expect(output.status != 0, "\(arguments)")
            #expect(output.stderr.hasPrefix("Error: "), "\(arguments): \(output.stderr)")
        }
        #expect(try await cli.eventCount() == 1)
    }
}
