import Deploy
import Foundation
import Ledger
import TestSupport
import Testing

/// `deploy`, `rollback` and `promote` with `--server`: the service runs them on its drivers and
/// the CLI follows each over the event stream, ending as the local command ends (its summary, its
/// exit code), whoever's ledger it is.
@Suite(.serialized)
struct ClientDeployTests {
    /// The service's ledger and configuration; the CLI's calls go through `--server`.
    let served = CLI()
    /// A twin ledger on which the same commands run locally: what the client must match.
    let local = CLI()

    init() async throws {
        try await served.run("init")
        try await local.run("init")
    }

    /// Starts `shiplog serve` over `served`'s ledger; returns the process and its base URL.
    func serve() async throws -> (Process, String) {
        let (process, _, url) = try await served.serve(["--reconcile", "off"])
        return (process, url)
    }

    /// A client of the service at `url` holding a token of `role`.
    func client(_ url: String, role: String) async throws -> CLI {
        let created = try await served.run("token", "create", "--name", "ci-\(role)", "--role", role, "--actor", "ana-maintainer")
        #expect(created.status == 0, "\(created.stderr)")
        var client = CLI(directory: served.directory)
        client.environment = ["SHIPLOG_URL": url, "SHIPLOG_TOKEN": created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)]
        return client
    }

    func deployments() async throws -> [String] {
        try await csvRows().map { $0.split(separator: ",").prefix(3).joined(separator: ",") }
    }

    /// The service's history as CSV rows (CRLF, which `CLI.Output.lines` does not split).
    func csvRows() async throws -> [String] {
        try await served.run("history", "--format", "csv").stdout.split(whereSeparator: \.isNewline).dropFirst().map(String.init)
    }

    @Test func deployRollbackAndPromoteEndAsTheLocalCommandsDoWithTheirExitCodes() async throws {
        let (process, url) = try await serve()
        defer { process.terminate(); process.waitUntilExit() }
        let client = try await client(url, role: "maintainer")
        let steps: [[String]] = [
            ["deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--trigger", "merge"],
            ["deploy", "frontend", "--env", "staging", "--tag", "broken-build"],
            ["promote", "api"],
            ["rollback", "api", "--env", "staging", "--tag", "rel-2024.01.01.00.00.00"],
            ["rollback", "api", "--env", "staging", "--tag", "no-such-tag"],
        ]
        for step in steps {
            let remote = try await client.run(step, useDatabase: false)
            let alone = try await local.run(step + ["--actor", "ana-maintainer"])
            #expect(remote.status == alone.status, "\(step): \(remote.stderr)")
            // The summary, on the stream the local command writes it to, is the local one.
            if remote.status == 0 { #expect(remote.lines.last == alone.lines.last, "\(step)") }
            #expect(remote.stderr == alone.stderr, "\(step)")
            if remote.status != 1 {
                #expect(remote.lines.contains { $0.hasPrefix("[00:00] DeploymentRequested ") }, "followed from its request: \(remote.stdout)")
            }
        }
        await #expect(try deployments() == [
            "deployment-api-staging-2,api,staging", "deployment-api-production-1,api,production",
            "deployment-frontend-staging-1,frontend,staging", "deployment-api-staging-1,api,staging",
        ])
        let outcomes = try await csvRows().map { $0.contains(",rolled_back,") }
        #expect(outcomes == [false, false, true, false])
    }

    @Test func aRefusalByTheServiceIsOneLineAndStartsNothing() async throws {
        let (process, url) = try await serve()
        defer { process.terminate(); process.waitUntilExit() }
        let viewer = try await client(url, role: "viewer")
        let refused = try await viewer.run(["deploy", "api", "--env", "staging", "--tag", "3f9c2e1"], useDatabase: false)
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.split(separator: "\n").count == 1 && refused.stderr.contains("access denied"), "\(refused.stderr)")
        await #expect(try deployments().isEmpty)

        let deployer = try await client(url, role: "deployer")
        let options: [([String], String)] = [
            (["--actor", "someone"], "--actor"), (["--timeout", "5m"], "--timeout"), (["--wait-timeout", "5m"], "--wait-timeout"),
            (["--db", served.database], "--server and --db"),
        ]
        for (extra, named) in options {
            let output = try await deployer.run(["deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--server", url] + extra, useDatabase: false)
            #expect(output.status != 0 && output.stderr.split(separator: "\n").count == 1 && output.stderr.contains(named), "\(extra): \(output.stderr)")
        }
        let resume = try await deployer.run(["deploy", "--resume", "deployment-api-staging-1"], useDatabase: false)
        #expect(resume.status != 0 && resume.stderr.contains("--resume"), "\(resume.stderr)")
        await #expect(try deployments().isEmpty)
    }

    /// Another host's deployment holds staging, as in the API's own tests.
    func holdStaging() async throws -> String {
        let store = try EventStore(path: served.database, access: .readWrite(create: false))
        defer { store.close() }
        let stream = EnvironmentClaim.stream(app: "api", environment: "staging")
        let claim = DeploymentClaimed(deploymentId: "deployment-api-staging-elsewhere", app: "api", environment: "staging", owner: "4242@ci-runner-7")
        _ = try await store.append([NewEvent(stream: stream, claim)])
        return stream
    }

    @Test func aQueuedDeployIsFollowedUntilItRunsAndASupersededOneExitsFour() async throws {
        let stream = try await holdStaging()
        let (process, url) = try await serve()
        defer { process.terminate(); process.waitUntilExit() }
        let client = try await client(url, role: "deployer")

        let first = client.process(["deploy", "api", "--env", "staging", "--tag", "3f9c2e1"], useDatabase: false)
        let firstOut = Pipe(), firstErr = Pipe()
        first.standardOutput = firstOut
        first.standardError = firstErr
        try first.start()
        let firstLines = OutputCollector(firstOut.fileHandleForReading)
        await firstLines.wait { $0.output.contains("DeploymentQueued") }
        #expect(firstLines.output.contains("waits"), "\(firstLines.output)")

        // A newer request takes the waiting one's place: the first ends, as locally, with exit 4.
        let second = client.process(["deploy", "api", "--env", "staging", "--tag", "a1b2c3d"], useDatabase: false)
        let secondOut = Pipe()
        second.standardOutput = secondOut
        second.standardError = FileHandle.nullDevice
        try second.start()
        let secondLines = OutputCollector(secondOut.fileHandleForReading)
        await first.exited()
        #expect(first.terminationStatus == 4)
        let firstError = String(decoding: firstErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(firstError.contains("was superseded while waiting") && firstError.contains("asked for a1b2c3d"), "\(firstError)")

        // The holder finishes; the newer request claims staging and deploys.
        let store = try EventStore(path: served.database, access: .readWrite(create: false))
        _ = try await store.append([NewEvent(stream: stream, DeploymentClaimReleased(
            deploymentId: "deployment-api-staging-elsewhere", outcome: .ended(.succeeded)))])
        store.close()
        await second.exited()
        #expect(second.terminationStatus == 0)
        await secondLines.wait { $0.isEnded }
        #expect(secondLines.complete.last == "deployment-api-staging-2 succeeded: api staging runs a1b2c3d on staging-api:2", "\(secondLines.output)")
    }
}
