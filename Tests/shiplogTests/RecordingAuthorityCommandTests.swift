import Foundation
import TestSupport
import Testing

/// The CLI takes the same rules as the API: its `--actor` is checked against the configuration's
/// roles (`shiplog init` writes the example configuration beside the ledger), and what
/// `events append` may write is what `POST /api/v1/events` may.
@Suite(.serialized)
struct RecordingAuthorityCommandTests {
    let cli = CLI()

    init() async throws {
        try await cli.run("init")
    }

    func expectRefused(_ output: CLI.Output, saying message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(output.status != 0, sourceLocation: sourceLocation)
        #expect(output.stderr.hasSuffix("\n") && output.stderr.dropLast().split(separator: "\n").count == 1,
                "one line: \(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.contains(message), "\(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    /// Every event but the recorded refusals.
    func written() async throws -> [String] {
        try await cli.run("events").lines.filter { !$0.contains(#""type":"AccessDenied""#) }
    }

    @Test func aDeployerMayNotDeployProductionFromTheCLIAsTheAPIRefusesIt() async throws {
        let output = try await cli.run("deploy", "api", "--env", "production", "--tag", "3f9c2e1", "--actor", "cara-contributor")
        expectRefused(output, saying: "access denied: cara-contributor is not a maintainer (only maintainers may deploy to production)")
        await #expect(try written().isEmpty)
        let audit = try await cli.run("audit", "--actor", "cara-contributor", "--format", "csv")
        #expect(audit.stdout.contains("denied"), "the refusal is audited: \(audit.stdout)")
        let staging = try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--actor", "cara-contributor")
        #expect(staging.status == 0, "\(staging.stderr)")
    }

    @Test func apiRolesDecideForTheCLITooAsTheOnePolicy() async throws {
        let path = cli.directory.path("shiplog.yml")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try (text + "\napi:\n  roles:\n    production_deploy: deployer\n").write(toFile: path, atomically: true, encoding: .utf8)
        let output = try await cli.run("deploy", "api", "--env", "production", "--tag", "3f9c2e1", "--actor", "cara-contributor")
        #expect(output.status == 0, "\(output.stderr)")
    }

    @Test func typesOnlyShiplogWritesAreRefusedByEventsAppendNamingTheCommand() async throws {
        let forged = #"{"stream":"tokens","type":"TokenIssued","data":{"token_id":"t1","name":"cara-contributor","role":"maintainer","hash":"00"}}"#
        let output = try await cli.run("events", "append", "--actor", "ana-maintainer", input: forged)
        expectRefused(output, saying: "access denied: TokenIssued is written only by `shiplog token create`, never recorded from outside")
        await #expect(try written().isEmpty)
        #expect(try await cli.run("events", "--type", "AccessDenied").lines.count == 1)
    }

    @Test func recordingAProductionDeploymentNeedsWhatDeployingItNeeds() async throws {
        let deployment = String.requested(1, env: "production", tag: "rel-1")
        expectRefused(try await cli.run("events", "append", "--actor", "cara-contributor", input: deployment),
                      saying: "cara-contributor is not a maintainer (only maintainers may deploy to production)")
        expectRefused(try await cli.run("events", "append", "--actor", "mallory", input: String.requested(2)),
                      saying: "mallory is neither a deployer nor a maintainer")
        await #expect(try written().isEmpty)
        let allowed = try await cli.run("events", "append", "--actor", "openverse-bot", input: String.event(
            stream: "deployment-3", type: "DeploymentRequested", data: #"{"app":"api","environment":"production","tag":"rel-1","trigger":"release"}"#,
            metadata: #"{"on_behalf_of":"ben-maintainer"}"#))
        #expect(allowed.status == 0, "\(allowed.stderr)")
        expectRefused(try await cli.run("events", "append", "--actor", "cara-contributor", input: .event(
            stream: "deployment-3", type: "DeploymentStable", data: #"{"task_definition_arn":"arn:aws:ecs:us-east-1:1:task-definition/production-api:7"}"#)),
                      saying: "stream deployment-3 was opened by openverse-bot; only they may append to it")
    }

    @Test func anActorInALineMustBeTheOneWhoRecords() async throws {
        let line = String.event(stream: "build-1", type: "ImageBuilt", data: #"{"image":"i","tag":"t"}"#, metadata: #"{"actor":"ana-maintainer"}"#)
        expectRefused(try await cli.run("events", "append", "--actor", "cara-contributor", input: line),
                      saying: "metadata.actor is who records (cara-contributor), not 'ana-maintainer'")
        await #expect(try written().isEmpty)
    }

    @Test func theCLITakesTheAPIsInputRules() async throws {
        let path = cli.directory.path("latin1.jsonl")
        var bytes = Array(String.event(stream: "build-1", type: "ImageBuilt", data: #"{"image":"caf_","tag":"t"}"#).utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "_"))!] = 0xE9
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        expectRefused(try await cli.run("events", "append", "--actor", "ana-maintainer", "--file", path), saying: "is not valid UTF-8")

        let huge = String.event(stream: "build-1", type: "ImageBuilt", data: #"{"image":"\#(String(repeating: "x", count: 1 << 20))","tag":"t"}"#)
        expectRefused(try await cli.run("events", "append", "--actor", "ana-maintainer", input: huge), saying: "an event may be at most 1048576 (1 MiB)")

        let twice = #"{"stream":"build-1","type":"ImageBuilt","data":{"image":"i","tag":"t"},"stream":"tokens"}"#
        expectRefused(try await cli.run("events", "append", "--actor", "ana-maintainer", input: twice), saying: "the line has the key 'stream' twice")

        let build = String.event(stream: "build-1", type: "ImageBuilt", data: #"{"image":"i","tag":"t"}"#)
        expectRefused(try await cli.run("events", "append", "--actor", "ana-maintainer", "--idempotency-key", "two words", input: build),
                      saying: "an idempotency key must be 1-200 printable characters without spaces")
        await #expect(try written().isEmpty)
    }

    @Test func idempotencyKeysBelongToTheActorThatSentThem() async throws {
        let first = try await cli.run("events", "append", "--actor", "ana-maintainer", "--idempotency-key", "step-1",
                                input: .event(stream: "build-1", type: "ImageBuilt", data: #"{"image":"i","tag":"t"}"#))
        let second = try await cli.run("events", "append", "--actor", "cara-contributor", "--idempotency-key", "step-1",
                                 input: .event(stream: "build-2", type: "ImageBuilt", data: #"{"image":"i","tag":"t"}"#))
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)\(second.stderr)")
        #expect(second.stdout.contains(#""stream":"build-2""#), "cara's key is cara's own")
    }

    @Test func anEmptyFileIsNotALedgerForAnyCommand() async throws {
        let empty = cli.directory.path("empty.sqlite")
        FileManager.default.createFile(atPath: empty, contents: Data())
        for arguments in [["status"], ["events"], ["events", "append", "--actor", "ana-maintainer"], ["verify"], ["history"], ["init"]] {
            let output = try await cli.run(arguments + ["--db", empty], input: .requested(1))
            expectRefused(output, saying: "empty.sqlite is not a shiplog ledger: the file is empty")
        }
        #expect(try FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int == 0)
    }

    @Test func onlyAMaintainerIssuesOrRevokesTokens() async throws {
        let minted = try await cli.run("token", "create", "--name", "cara-ci", "--role", "maintainer", "--actor", "cara-contributor")
        expectRefused(minted, saying: "access denied: cara-contributor is not a maintainer (only maintainers may issue or revoke tokens)")
        #expect(try await cli.run("events", "--type", "TokenIssued").lines.isEmpty)
        let issued = try await cli.run("token", "create", "--name", "cara-ci", "--role", "deployer", "--actor", "ana-maintainer")
        #expect(issued.status == 0, "\(issued.stderr)")
        expectRefused(try await cli.run("token", "revoke", "cara-ci", "--actor", "cara-contributor"), saying: "only maintainers may issue or revoke tokens")
    }
}
