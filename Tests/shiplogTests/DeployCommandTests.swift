import Foundation
import Ledger
import TestSupport
import Testing

/// `shiplog deploy`, `rollback`, `promote` and `template` as people and CI run them, on the
/// simulated drivers the example config names (their state persists beside the ledger).
@Suite(.serialized)
struct DeployCommandTests {
    let cli = CLI()

    init() async throws {
        try await cli.run("init")
    }

    func expectOneLineRefusal(_ output: CLI.Output, saying message: String, events: Int = 0, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(output.status != 0, sourceLocation: sourceLocation)
        #expect(output.stderr.hasSuffix("\n") && output.stderr.dropLast().split(separator: "\n").count == 1, "one line: \(output.stderr)",
                sourceLocation: sourceLocation)
        #expect(output.stderr.contains(message), "\(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(try await cli.eventCount() == events, "nothing was written", sourceLocation: sourceLocation)
    }

    @Test func aSuccessfulDeployPrintsEachStepAndExitsZero() async throws {
        let output = try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--trigger", "merge", "--actor", "cara-contributor")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.lines.first == "[00:00] DeploymentRequested api staging 3f9c2e1 (merge) by cara-contributor")
        #expect(output.lines.contains { $0.hasPrefix("[00:00] TaskDefinitionRegistered staging-api:2") })
        #expect(output.lines.last == "deployment-api-staging-1 succeeded: api staging runs 3f9c2e1 on staging-api:2")
        let status = try await cli.run("status", "--app", "api", "--env", "staging", "--format", "csv")
        #expect(status.rows.last?.hasPrefix("api,staging,3f9c2e1,2,") == true, "the simulated ECS state carried over: \(status.stdout)")
        let history = try await cli.run("history", "--format", "csv")
        #expect(history.lines.last?.contains(",merge,cara-contributor,") == true)
        #expect(history.rows.last?.contains(",3m00s,succeeded,") == true, "three simulated minutes: \(history.stdout)")
    }

    @Test func aDeployECSRollsBackExitsThreeNamingTheRevisionItWentBackTo() async throws {
        let output = try await cli.run("deploy", "frontend", "--env", "staging", "--tag", "broken-build", "--actor", "cara-contributor")
        #expect(output.status == 3)
        #expect(output.stderr == "deployment-frontend-staging-1 failed at stabilize: ECS deployment circuit breaker: tasks failed to start. (ECS rolled back to staging-nuxt:1)\n")
        let history = try await cli.run("history", "--outcome", "rolled_back", "--format", "csv")
        #expect(history.rows.count == 2)
    }

    @Test func aDeployThatTimesOutExitsTwo() async throws {
        let output = try await cli.run("deploy", "api", "--env", "staging", "--tag", "a1b2c3d", "--timeout", "1m", "--actor", "cara-contributor")
        #expect(output.status == 2)
        #expect(output.stderr == "deployment-api-staging-1 timed out at stabilize: not stable after 60 s\n")
    }

    @Test func aDurationOptionThatIsNoDurationIsArgumentParsersRefusalNamingTheOptionAndWritesNothing() async throws {
        for arguments in [
            ["deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--timeout", "banana"],
            ["deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--wait-timeout", "banana"],
            ["rollback", "api", "--env", "staging", "--tag", "3f9c2e1", "--timeout", "banana"],
            ["promote", "api", "--timeout", "banana"],
        ] {
            let option = arguments[arguments.count - 2]
            let output = try await cli.run(arguments + ["--actor", "ana-maintainer"])
            #expect(output.status == 64, "\(arguments)")
            #expect(output.stderr.hasPrefix("Error: The value 'banana' is invalid for '\(option) <duration>'\n"), "\(output.stderr)")
            #expect(output.stdout.isEmpty)
            #expect(try await cli.eventCount() == 0, "nothing was written")
        }
    }

    @Test func aRollbackByANonMaintainerIsRefusedAndRecorded() async throws {
        let output = try await cli.run("rollback", "api", "--env", "production", "--tag", "rel-2024.01.01.00.00.00", "--actor", "cara-contributor")
        #expect(output.status != 0)
        #expect(output.stderr == "Error: access denied: cara-contributor is not a maintainer (only maintainers may rollback)\n")
        let denied = try await cli.run("events", "--type", "AccessDenied")
        #expect(denied.lines.count == 1)
        #expect(denied.stdout.contains(#""actor":"cara-contributor""#))
        let allowed = try await cli.run("rollback", "api", "--env", "production", "--tag", "rel-2024.02.01.00.00.00",
                                  "--actor", "openverse-bot", "--on-behalf-of", "ben-maintainer")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let history = try await cli.run("history", "--format", "csv")
        #expect(history.rows.dropFirst().first?.contains(",rollback,ben-maintainer,openverse-bot,") == true, "\(history.stdout)")
    }

    @Test func templateChangesRedactSecretsAndRequireEnvRefusesWhatIsMissing() async throws {
        let set = try await cli.run("template", "set-env", "api", "--env", "staging", "DJANGO_SECRET_KEY=hunter2", "LOG_LEVEL=debug", "--actor", "ana-maintainer")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout == "staging-api-template:2 registered: set DJANGO_SECRET_KEY=<redacted>; set LOG_LEVEL=debug\n")
        #expect(!(try await cli.run("events").stdout.contains("hunter2")))
        let refused = try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--require-env", "REDIS_URL", "--actor", "cara-contributor")
        try await expectOneLineRefusal(refused, saying: "template staging-api-template lacks REDIS_URL", events: 1)
        let deployed = try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--require-env", "DJANGO_SECRET_KEY", "--actor", "cara-contributor")
        #expect(deployed.status == 0, "\(deployed.stderr)")
    }

    @Test func unknownAppsEnvironmentsAndTagsGetOneLineAndWriteNothing() async throws {
        try await expectOneLineRefusal(try await cli.run("deploy", "catalog", "--env", "staging", "--tag", "3f9c2e1", "--actor", "cara-contributor"),
                                 saying: "Error: unknown app 'catalog' (known: api, frontend, ingestion_server)")
        try await expectOneLineRefusal(try await cli.run("deploy", "api", "--env", "qa", "--tag", "3f9c2e1", "--actor", "cara-contributor"),
                                 saying: "Error: app api has no environment 'qa' (known: production, staging)")
        try await expectOneLineRefusal(try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e2", "--actor", "cara-contributor"),
                                 saying: "Error: tag 3f9c2e2 not found for ghcr.io/wordpress/openverse-api; nearest existing tags: 3f9c2e1, a1b2c3d, broken-build")
        try await expectOneLineRefusal(try await cli.run("rollback", "api", "--env", "staging", "--tag", "rel-2024.01.01", "--actor", "ana-maintainer"),
                                 saying: "nearest existing tags: rel-2024.01.01.00.00.00, rel-2024.02.01.00.00.00")
        let trigger = try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--trigger", "whim")
        #expect(trigger.status == 64)
        #expect(trigger.stderr.hasPrefix("Error: The value 'whim' is invalid for '--trigger <trigger>'. Please provide one of 'merge', 'release' or 'manual'.\n"))
        #expect(try await cli.eventCount() == 0)
        #expect(!FileManager.default.fileExists(atPath: cli.database + ".simulated-ecs.json"), "the simulation was not saved either")
    }

    @Test func anInvalidConfigIsRefusedNamingTheFileAndKey() async throws {
        let path = cli.directory.path("shiplog.yml")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "        cluster: staging-default\n        service: staging-api\n", with: "        service: staging-api\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        try await expectOneLineRefusal(try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--actor", "cara-contributor"),
                                 saying: "Error: shiplog.yml: apps.api.environments.staging.cluster: missing")
        try await expectOneLineRefusal(try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--config", "elsewhere.yml"),
                                 saying: "Error: elsewhere.yml: cannot read the configuration")
    }

    @Test func aDeployWithNoWaitIsRefusedWhileAnotherHoldsTheEnvironment() async throws {
        try await appendToLedger(DeploymentClaimed(deploymentId: "deployment-api-staging-elsewhere", app: "api", environment: "staging", owner: "4242@ci-runner-7"))
        try await expectOneLineRefusal(try await cli.run("deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--no-wait", "--actor", "cara-contributor"),
                                 saying: "api staging is busy: deployment deployment-api-staging-elsewhere is in flight", events: 1)
    }

    @Test func aWaitingDeploySupersededByANewerOneExitsFourSayingWhoAskedAndTheNewerRunsOnceFree() async throws {
        try await appendToLedger(DeploymentClaimed(deploymentId: "deployment-api-staging-elsewhere", app: "api", environment: "staging", owner: "4242@ci-runner-7"))
        let middle = try start(["deploy", "api", "--env", "staging", "--tag", "a1b2c3d", "--actor", "cara-contributor"])
        try await waitForEvents("DeploymentQueued", count: 1)
        let newest = try start(["deploy", "api", "--env", "staging", "--tag", "3f9c2e1", "--actor", "ana-maintainer"])
        let superseded = try await finished(middle)
        #expect(superseded.status == 4)
        #expect(superseded.stderr.hasPrefix("api staging a1b2c3d was superseded while waiting: ana-maintainer asked for 3f9c2e1 (request "), "\(superseded.stderr)")
        #expect(superseded.stderr.hasSuffix("); nothing was deployed\n") && superseded.stderr.split(separator: "\n").count == 1)
        try await waitForEvents("DeploymentQueued", count: 2)
        try await appendToLedger(DeploymentClaimReleased(deploymentId: "deployment-api-staging-elsewhere", outcome: .ended(.succeeded)))
        let ran = try await finished(newest)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.lines.last == "deployment-api-staging-2 succeeded: api staging runs 3f9c2e1 on staging-api:2")
        let types = try await cli.run("events", "--stream", "environment-api-staging").lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["type"] as? String
        }
        #expect(types == ["DeploymentClaimed", "DeploymentQueued", "DeploymentSuperseded", "DeploymentQueued", "DeploymentClaimReleased",
                          "DeploymentClaimed", "DeploymentClaimReleased"])
    }

    /// Appends to the ledger directly, as a deploy on another host sharing it would.
    private func appendToLedger<Payload: EventPayload>(_ payload: Payload) async throws {
        let store = try EventStore(path: cli.database)
        defer { store.close() }
        _ = try await store.append([NewEvent(stream: "environment-api-staging", payload, metadata: EventMetadata(actor: "ci-bot"))])
    }

    private func start(_ arguments: [String]) throws -> (process: Process, stdout: Pipe, stderr: Pipe) {
        let process = cli.process(arguments)
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.start()
        return (process, stdout, stderr)
    }

    private func finished(_ started: (process: Process, stdout: Pipe, stderr: Pipe)) async throws -> CLI.Output {
        while started.process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        let out = started.stdout.fileHandleForReading.readDataToEndOfFile(), err = started.stderr.fileHandleForReading.readDataToEndOfFile()
        return CLI.Output(status: started.process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    private func waitForEvents(_ type: String, count: Int) async throws {
        for _ in 0..<1500 {
            if try await cli.run("events", "--type", type).lines.count >= count { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("fewer than \(count) \(type) events")
    }
}

extension CLI.Output {
    /// Lines of CSV output, whose records end in CRLF.
    var rows: [String] { stdout.split(whereSeparator: \.isNewline).map(String.init) }
}

/// A deploy whose process was killed is closed by the next command, or by `deploy --resume`.
@Suite(.serialized)
struct DeployCrashTests {
    let cli = CLI()

    init() async throws {
        try await cli.run("init")
    }

    func killedDeploy(after step: String, tag: String = "3f9c2e1") async throws {
        var crashing = cli
        crashing.environment["SHIPLOG_CRASH_AFTER"] = step
        let output = try await crashing.run("deploy", "api", "--env", "staging", "--tag", tag, "--actor", "cara-contributor")
        #expect(output.status == 9, "killed by SIGKILL")
        #expect(try await cli.run("history", "--outcome", "in_progress", "--format", "csv").rows.count == 2)
    }

    @Test func resumeClosesADeployKilledAfterTheServiceWasUpdatedFromWhatECSRuns() async throws {
        try await killedDeploy(after: "service-updated")
        let resumed = try await cli.run("deploy", "--resume", "deployment-api-staging-1", "--actor", "ana-maintainer")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.lines.last == "deployment-api-staging-1 succeeded: api staging runs 3f9c2e1 on staging-api:2")
        let again = try await cli.run("deploy", "--resume", "deployment-api-staging-1", "--actor", "ana-maintainer")
        #expect(again.status == 0)
        #expect(try await cli.run("events", "--type", "DeploymentStable").lines.count == 1, "closed once")
    }

    @Test func theNextDeployClosesOneKilledBeforeECSWasToldThenRuns() async throws {
        try await killedDeploy(after: "rendered")
        let next = try await cli.run("deploy", "api", "--env", "staging", "--tag", "a1b2c3d", "--actor", "cara-contributor")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.hasPrefix("closed interrupted deployment: deployment-api-staging-1 failed at register: interrupted after rendered"))
        #expect(next.lines.last == "deployment-api-staging-2 succeeded: api staging runs a1b2c3d on staging-api:2")
        let history = try await cli.run("history", "--format", "csv").rows
        #expect(history.count == 3)
        #expect(history.last?.contains(",failed,register: interrupted after rendered") == true)
    }
}

/// `shiplog promote` on the simulated drivers.
@Suite(.serialized)
struct PromoteCommandTests {
    let cli = CLI()

    init() async throws {
        try await cli.run("init")
    }

    @Test func aPromotionDeploysToProductionWhatStagingRuns() async throws {
        #expect(try await cli.run("deploy", "api", "--env", "staging", "--tag", "a1b2c3d", "--actor", "cara-contributor").status == 0)
        let refused = try await cli.run("promote", "api", "--actor", "cara-contributor")
        #expect(refused.stderr == "Error: access denied: cara-contributor is not a maintainer (only maintainers may promote)\n")
        let promoted = try await cli.run("promote", "api", "--actor", "openverse-bot", "--on-behalf-of", "ana-maintainer")
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(promoted.lines.last == "deployment-api-production-1 succeeded: api production runs a1b2c3d on production-api:2")
        let history = try await cli.run("history", "--app", "api", "--env", "production", "--format", "csv").rows
        #expect(history.last?.contains(",a1b2c3d,promotion,ana-maintainer,openverse-bot,") == true, "\(history)")
    }
}
