import Deploy
import ECS
import Foundation
import NIOHTTP1
import Simulation
import TestSupport
import Testing

/// Every read command through a running `shiplog serve` (`--server`) against the same command on
/// the ledger file the service holds: the local output is the golden one, byte for byte, in every
/// format, with the same exit status.
@Suite(.serialized)
struct ClientModeTests {
    let cli = CLI()

    init() async throws {
        try await cli.run("init")
    }

    /// A ledger with some of everything: deployments that succeeded, rolled back, timed out and a
    /// rollback by a bot for a maintainer; a refused rollback; tokens issued and revoked; an event
    /// a recorder appended; drift behind the ledger's back, recorded; and a stored checkpoint.
    private func buildVariedLedger() async throws -> (deployments: [String], revokedToken: String) {
        func run(_ arguments: String..., exits status: Int32 = 0) async throws {
            let output = try await cli.run(arguments)
            #expect(output.status == status, "\(arguments.joined(separator: " ")): \(output.stderr)")
        }
        try await run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--trigger", "merge", "--actor", "cara-contributor")
        try await run("deploy", "frontend", "--env", "staging", "--tag", "broken-build", "--actor", "cara-contributor", exits: 3)
        try await run("deploy", "api", "--env", "staging", "--tag", "a1b2c3d", "--timeout", "1m", "--actor", "ana-maintainer", exits: 2)
        try await run("deploy", "api", "--env", "staging", "--tag", "a1b2c3d", "--actor", "ana-maintainer")
        try await run("rollback", "api", "--env", "production", "--tag", "rel-2024.01.01.00.00.00", "--actor", "cara-contributor", exits: 1)
        try await run("rollback", "api", "--env", "production", "--tag", "rel-2024.02.01.00.00.00", "--actor", "openverse-bot", "--on-behalf-of", "ben-maintainer")
        try await run("token", "create", "--name", "old-ci", "--role", "deployer", "--actor", "ana-maintainer")
        let revoked = try await cli.run("token", "create", "--name", "gone-ci", "--role", "viewer", "--actor", "ana-maintainer").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try await run("token", "revoke", "gone-ci", "--actor", "ana-maintainer")
        let appended = try await cli.run("events", "append", "--actor", "cara-contributor", input: .event(
            stream: "build-api-1", type: "ImageBuilt", data: #"{"app":"api","image":"ghcr.io/wordpress/openverse-api","tag":"a1b2c3d"}"#))
        #expect(appended.status == 0, "\(appended.stderr)")
        try await run("verification", "record", "--app", "api", "--env", "staging", "--tag", "a1b2c3d", "--name", "e2e", "--outcome", "passed",
                "--url", "https://github.com/WordPress/openverse/actions/runs/1", "--actor", "cara-contributor")
        let configuration = try ShiplogConfiguration.load(path: cli.directory.path("shiplog.yml"))
        let world = try await SimulatedWorld(path: cli.database + ".simulated-ecs.json", configuration: configuration)
        _ = try await world.ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: "staging-api:1")
        world.clock.advance(by: .seconds(3600))
        try world.save()
        try await run("drift", "--actor", "ana-maintainer", exits: 2)
        let keys = try await cli.run("keys", "create", "--out", cli.directory.path(""), "--name", "shiplog.test", useDatabase: false)
        #expect(keys.status == 0, "\(keys.stderr)")
        try await run("checkpoint", "--key", cli.directory.path("shiplog.test.key"))
        let ids = try await cli.run("history", "--format", "csv").stdout.split(separator: "\r\n").dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) }
        return (ids, revoked)
    }

    /// `shiplog serve` on the ledger, and a viewer's API token to read it with.
    private func serve() async throws -> (Process, url: String, token: String) {
        let created = try await cli.run("token", "create", "--name", "reader", "--role", "viewer", "--actor", "ana-maintainer")
        #expect(created.status == 0, "\(created.stderr)")
        let (process, _, url) = try await cli.serve(["--reconcile", "off"])
        return (process, url, created.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The client: no ledger file, the service's URL and the token from the environment, as CI sets them.
    private func client(_ url: String, token: String) -> CLI {
        var client = CLI(directory: cli.directory)
        client.environment = ["SHIPLOG_URL": url, "SHIPLOG_TOKEN": token]
        return client
    }

    /// The parts of a report that say when it was made, which two runs cannot share.
    private static func withoutGenerationTime(_ text: String) -> String {
        text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, with: "<time>", options: .regularExpression)
    }

    @Test func everyReadCommandThroughTheServiceGivesTheLocalOutputExitStatusAndErrors() async throws {
        let (deployments, _) = try await buildVariedLedger()
        #expect(deployments.count == 5, "\(deployments)")
        let (service, url, token) = try await serve()
        defer { service.terminate() }
        let client = client(url, token: token)
        // Drift first: the local command records what it finds (once), the service's records nothing.
        var commands: [[String]] = [["drift"], ["drift", "--format", "json"], ["drift", "--app", "api", "--env", "staging"]]
        try await compare(commands, local: cli, through: client)
        let before = try await cli.eventCount()

        commands = [
            ["events"], ["events", "--stream", "deployment-api-staging-1"], ["events", "--type", "AccessDenied"],
            ["events", "--actor", "cara-contributor"], ["events", "--after", "3", "--limit", "5"],
            ["status", "--app", "api", "--env", "staging"],
            ["history", "--outcome", "rolled_back"], ["history", "--actor", "ben-maintainer"], ["history", "--actor", "ana-maintainer", "--format", "csv"], ["history", "--app", "api", "--env", "staging", "--limit", "2"],
            ["history", "--since", "2020-01-01", "--until", "2100-01-01"], ["history", "--id", "no-such-deployment"],
            ["audit", "--outcome", "denied"], ["audit", "--actor", "cara-contributor"], ["audit", "--action", "deploy"], ["audit", "--limit", "3"],
            ["proof", "inclusion", "1"], ["proof", "inclusion", "3", "--tree-size", "5", "--json"], ["proof", "inclusion", "99999"],
            ["proof", "consistency", "2", "5"], ["proof", "consistency", "3", "--json"], ["proof", "consistency", "5", "2"],
            ["verify"], ["verify", "--quick"],
            ["verification", "gates", "api"], ["verification", "gates", "frontend"], ["verification", "gates", "no-such-app"],
        ]
        for format in ["table", "json", "csv"] {
            commands += [["status", "--format", format], ["history", "--format", format], ["audit", "--format", format],
                         ["verification", "list", "--app", "api", "--format", format]]
            commands += deployments.map { ["history", "--id", $0, "--format", format] }
        }
        commands += deployments.map { ["proof", "deployment", $0] }
        try await compare(commands, local: cli, through: client)
        // A period around now: the simulated deployments start at the wall clock's time.
        let day = { (offset: Double) in String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(offset * 86_400)).prefix(10)) }
        for format in ["csv", "json", "markdown", "html"] {
            let arguments = ["export", "--format", format, "--since", day(-1), "--until", day(2)]
            let local = try await cli.run(arguments)
            let remote = try await client.run(arguments, useDatabase: false)
            #expect(local.status == 0 && remote.status == 0, "export --format \(format): \(local.stderr) \(remote.stderr)")
            #expect(Self.withoutGenerationTime(remote.stdout) == Self.withoutGenerationTime(local.stdout), "export --format \(format)")
        }
        #expect(try await cli.eventCount() == before, "reading through the service wrote nothing")
    }

    /// Runs each command on the ledger file and through the service: the local output is the golden one.
    private func compare(_ commands: [[String]], local: CLI, through client: CLI, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for arguments in commands {
            let command = arguments.joined(separator: " ")
            let golden = try await local.run(arguments)
            let remote = try await client.run(arguments, useDatabase: false)
            #expect(remote.stdout == golden.stdout, "stdout of \(command)", sourceLocation: sourceLocation)
            #expect(remote.stderr == golden.stderr, "stderr of \(command): \(remote.stderr)", sourceLocation: sourceLocation)
            #expect(remote.status == golden.status, "exit status of \(command)", sourceLocation: sourceLocation)
            #expect(!golden.stdout.isEmpty || !golden.stderr.isEmpty, "\(command) says something", sourceLocation: sourceLocation)
        }
    }

    @Test func eventsAppendThroughTheServicePrintsTheLinesTheLedgerHolds() async throws {
        let (service, url, _) = try await serve()
        defer { service.terminate() }
        let deployer = try await cli.run("token", "create", "--name", "ci-deployer", "--role", "deployer", "--actor", "ana-maintainer")
        let client = client(url, token: deployer.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let line = String.event(stream: "build-api-7", type: "ImageBuilt", data: #"{"app":"api","image":"ghcr.io/wordpress/openverse-api","tag":"7a7a7a7"}"#)
        let appended = try await client.run(["events", "append"], input: line, useDatabase: false)
        #expect(appended.status == 0, "\(appended.stderr)")
        let held = try await cli.run("events", "--stream", "build-api-7")
        #expect(appended.stdout == held.stdout && !held.stdout.isEmpty, "the service's answer is the ledger's line")
        let badLine = "{\"stream\":\"build-api-8\",\"type\":\"ImageBuilt\"}"
        let local = try await cli.run(["events", "append", "--actor", "ana-maintainer"], input: badLine)
        let remote = try await client.run(["events", "append"], input: badLine, useDatabase: false)
        #expect(remote.stderr == local.stderr && remote.status == local.status && local.status != 0, "\(local.stderr) \(remote.stderr)")
    }

    func expectOneLineRefusal(_ output: CLI.Output, saying message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(output.status != 0, sourceLocation: sourceLocation)
        #expect(output.stderr.hasSuffix("\n") && output.stderr.dropLast().split(separator: "\n").count == 1, "one line: \(output.stderr)",
                sourceLocation: sourceLocation)
        #expect(output.stderr.contains(message), "\(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func badServersTokensAndURLsAreOneLineErrorsAndWriteNothing() async throws {
        let (deployments, revoked) = try await buildVariedLedger()
        let (service, url, token) = try await serve()
        defer { service.terminate() }
        let html = try await LoopbackHTTPServer.start { _ in
            CannedResponse(status: .notFound, headers: [("Content-Type", "text/html")], body: "<html><body>Not Found</body></html>")
        }
        let otherJSON = try await LoopbackHTTPServer.start { _ in
            CannedResponse(status: .ok, headers: [("Content-Type", "application/json")], body: #"{"hello":"world"}"#)
        }
        let before = try await cli.eventCount()
        let line = String.event(stream: "build-api-9", type: "ImageBuilt", data: #"{"app":"api","image":"ghcr.io/wordpress/openverse-api","tag":"9"}"#)
        let reads = [["status"], ["history"], ["history", "--id", deployments[0]], ["audit"], ["verify"], ["proof", "inclusion", "1"], ["export"]]
        for arguments in reads {
            await expectOneLineRefusal(try client(html.baseURL, token: token).run(arguments, useDatabase: false), saying: "does not answer as a shiplog service")
            await expectOneLineRefusal(try client(otherJSON.baseURL, token: token).run(arguments, useDatabase: false), saying: "as a shiplog service does")
            await expectOneLineRefusal(try client(url, token: "ghp_16C7e42F292c6912E7710c838347Ae178B4a").run(arguments, useDatabase: false),
                                 saying: "SHIPLOG_TOKEN is not a shiplog token")
            await expectOneLineRefusal(try client(url, token: revoked).run(arguments, useDatabase: false), saying: "a valid bearer token is required")
            await expectOneLineRefusal(try client("not a url", token: token).run(arguments, useDatabase: false), saying: "is not an http:// or https:// URL")
            expectOneLineRefusal(try await cli.run(arguments + ["--server", url]), saying: "--server and --db name two ledgers")
        }
        // Once: the HTTP client tries to connect again until the request's deadline (a minute).
        await expectOneLineRefusal(try client("http://127.0.0.1:1", token: token).run(["status"], useDatabase: false), saying: "cannot reach the shiplog service")
        await expectOneLineRefusal(try client(html.baseURL, token: token).run(["events", "append"], input: line, useDatabase: false),
                             saying: "does not answer as a shiplog service")
        await expectOneLineRefusal(try client(url, token: revoked).run(["events", "append"], input: line, useDatabase: false), saying: "a valid bearer token is required")
        await expectOneLineRefusal(try client(url, token: token).run(["export", "--key", "shiplog.test.key"], useDatabase: false),
                             saying: "a service signs with its own key")
        // The options of a local ledger, refused by every command that works through a service.
        for command in [["deploy", "api", "--env", "staging", "--tag", "3f9c2e1"], ["drift"], ["verification", "gates", "api"]] {
            await expectOneLineRefusal(try client(url, token: token).run(command + ["--actor", "ana-maintainer"], useDatabase: false),
                                       saying: "--actor names who acts on a local ledger")
            await expectOneLineRefusal(try client(url, token: token).run(command + ["--config", "shiplog.yml"], useDatabase: false),
                                       saying: "--config is the service's own configuration")
        }
        #expect(try await cli.eventCount() == before, "nothing was written")
        try await html.stop()
        try await otherJSON.stop()
    }
}
