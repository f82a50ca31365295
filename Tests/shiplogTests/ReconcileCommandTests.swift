import Deploy
import ECS
import Foundation
import Simulation
import TestSupport
import Testing

/// `shiplog drift` and `shiplog reconcile` on the simulated drivers, with drift made behind the
/// ledger's back by changing the simulated ECS that persists beside the ledger.
@Suite(.serialized)
struct ReconcileCommandTests {
    let cli = CLI()

    init() async throws {
        try await cli.run("init")
    }

    /// Points staging-api back at revision 1 directly in the simulated ECS, as someone with AWS access would.
    func driftBehindTheLedgersBack() async throws {
        let configuration = try ShiplogConfiguration.load(path: cli.directory.path("shiplog.yml"))
        let world = try await SimulatedWorld(path: cli.database + ".simulated-ecs.json", configuration: configuration)
        _ = try await world.ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: "staging-api:1")
        world.clock.advance(by: .seconds(3600))
        try world.save()
    }

    @Test func driftExitsZeroInSyncTwoWhenDriftingAndRecordsItOnce() async throws {
        try await cli.run("deploy", "api", "--env", "staging", "--tag", "a1b2c3d", "--actor", "cara-contributor")
        let clean = try await cli.run("drift", "--actor", "ana-maintainer")
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.lines.contains { $0.hasPrefix("api ") && $0.contains(" in_sync ") })

        try await driftBehindTheLedgersBack()
        for _ in 0..<3 {
            let drifting = try await cli.run("drift", "--app", "api", "--env", "staging", "--format", "json", "--actor", "ana-maintainer")
            #expect(drifting.status == 2)
            let services = try JSONSerialization.jsonObject(with: Data(drifting.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(services.count == 1)
            #expect(services.first?["status"] as? String == "drifted")
        }
        #expect(try await cli.run("events", "--type", "DriftDetected").lines.count == 1, "recorded once across passes")
        let status = try await cli.run("status")
        #expect(status.stdout.contains("task definition: staging-api:2 in the ledger, staging-api:1 in ECS"))
        #expect(status.stdout.contains("last reconcile pass at "))
    }

    @Test func aDryRunPrintsThePlanAndChangesNothing() async throws {
        try await cli.run("deploy", "api", "--env", "staging", "--tag", "a1b2c3d", "--actor", "cara-contributor")
        try await driftBehindTheLedgersBack()
        let before = try await cli.eventCount()
        let plan = try await cli.run("reconcile", "--dry-run", "--actor", "ana-maintainer")
        #expect(plan.status == 2)
        #expect(plan.stdout.hasPrefix("api staging: deploy staging-api:2 "))
        #expect(try await cli.eventCount() == before + 1, "only the plan's audit entry")
        #expect(try await cli.run("drift", "--actor", "ana-maintainer").status == 2, "still drifting")
    }

    @Test func reconcileDeploysBackAndExitsZero() async throws {
        try await cli.run("deploy", "api", "--env", "staging", "--tag", "a1b2c3d", "--actor", "cara-contributor")
        try await driftBehindTheLedgersBack()
        let reconciled = try await cli.run("reconcile", "--actor", "ana-maintainer")
        #expect(reconciled.status == 0, "\(reconciled.stderr)")
        #expect(reconciled.lines.contains { $0.hasPrefix("api staging: deployment-api-staging-2 succeeded") }, "\(reconciled.stdout)")
        #expect(reconciled.lines.contains { $0.hasPrefix("[00:00] TaskDefinitionRegistered reused staging-api:2") }, "the desired revision is reused: \(reconciled.stdout)")
        #expect(try await cli.run("drift", "--actor", "ana-maintainer").status == 0)
        let history = try await cli.run("history", "--format", "csv")
        #expect(history.rows.dropFirst().first?.contains(",reconcile,ana-maintainer,") == true)
    }

    @Test func badInputIsOneLineAndWritesNothing() async throws {
        for (arguments, message) in [
            (["drift", "--app", "nope"], "unknown app 'nope'"),
            (["reconcile", "--watch", "--dry-run"], "--watch and --dry-run do not go together"),
            (["reconcile", "--watch", "--interval", "soon"], "The value 'soon' is invalid for '--interval <duration>'"),
            (["drift", "--format", "csv"], "The value 'csv' is invalid for '--format <format>'. Please provide one of 'table' and 'json'."),
        ] {
            let output = try await cli.run(arguments + ["--actor", "ana-maintainer"])
            #expect(output.status == 1 || output.status == 64, "\(arguments)")
            #expect(output.stderr.contains(message), "\(arguments): \(output.stderr)")
            #expect(try await cli.eventCount() == 0)
        }
    }
}
