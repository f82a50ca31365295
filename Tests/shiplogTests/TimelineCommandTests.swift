import Foundation
import TestSupport
import Testing

/// `shiplog history --id`: one deployment as a timeline, with what ECS reported during the
/// rollout and why its tasks stopped, on the simulated drivers the example config names.
@Suite struct TimelineCommandTests {
    let cli = CLI()

    init() async throws {
        try await cli.run("init")
    }

    @Test func aFailedDeploysTimelineShowsWhatECSReportedAndWhyItsTasksStopped() async throws {
        let deploy = try await cli.run("deploy", "frontend", "--env", "staging", "--tag", "broken-build", "--actor", "cara-contributor")
        #expect(deploy.status == 3)
        #expect(deploy.lines.contains { $0.contains("] ServiceEventReported (service staging-nuxt) has started 1 tasks: (task ") },
                "the wait is no longer a silent step: \(deploy.stdout)")
        #expect(deploy.lines.contains { $0.contains("] TaskStopped task ") && $0.hasSuffix("Essential container in task exited (nuxt exited 1)") })

        let timeline = try await cli.run("history", "--id", "frontend-staging-1")
        #expect(timeline.status == 0, "\(timeline.stderr)")
        #expect(timeline.lines.first == "deployment-frontend-staging-1: frontend to staging, broken-build, rolled_back (stabilize: ECS deployment circuit breaker: tasks failed to start.)")
        let rows = timeline.lines.dropFirst(2)
        func row(_ type: String) -> Int? { rows.firstIndex { $0.contains("  \(type)  ") } }
        let updated = try #require(row("ServiceUpdated"))
        let reported = try #require(row("ServiceEventReported"))
        let stopped = try #require(row("TaskStopped"))
        let rolledBack = try #require(row("RolledBackAutomatically"))
        #expect(updated < reported && reported < stopped && stopped < rolledBack, "in the order they were recorded")
        #expect(rows.contains { $0.contains("deployment failed: tasks failed to start.") })
        #expect(rows.filter { $0.contains("Essential container in task exited [EssentialContainerExited]; nuxt exited 1") }.count == 3)

        let json = try await cli.run("history", "--id", "deployment-frontend-staging-1", "--format", "json")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let task = try #require(entries.first { $0["type"] as? String == "TaskStopped" })
        #expect((task["ecs_time"] as? String)?.hasSuffix("Z") == true, "ECS's own time beside the ledger's: \(task)")
        #expect((task["summary"] as? String)?.contains("nuxt exited 1") == true)
    }

    @Test func anUnknownDeploymentIsAOneLineError() async throws {
        let output = try await cli.run("history", "--id", "api-staging-9")
        #expect(output.status != 0)
        #expect(output.stderr.contains("no deployment 'api-staging-9' in the ledger"), "\(output.stderr)")
        #expect(output.stdout.isEmpty)
    }
}
