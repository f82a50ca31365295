import AWS
import Clocks
import ECS
import Foundation
import Simulation
import Testing

struct SimulatedECSTests {
    /// The seeded simulator with rollouts of 3 minutes and failures detected after 5.
    static func seeded() -> (SimulatedECS, VirtualClock) {
        let clock = VirtualClock()
        let ecs = SimulatedECS(clock: clock, timing: .init(rolloutDuration: .seconds(180), failureDetectionTime: .seconds(300)))
        ecs.seedOpenverse(initialTag: "rel-2024.01.01.00.00.00")
        return (ecs, clock)
    }

    /// Renders and registers `staging-api` for `tag` as the deploy workflow does.
    static func registerStagingAPI(_ ecs: SimulatedECS, tag: String) async throws -> TaskDefinition {
        let template = try await ecs.describeTaskDefinition("staging-api-template")
        let rendered = try template.rendered(images: [
            "django": "ghcr.io/wordpress/openverse-api:\(tag)",
            "nginx": "ghcr.io/wordpress/openverse-api_nginx:\(tag)",
        ])
        return try await ecs.registerTaskDefinition(rendered)
    }

    @Test func seedingCreatesTheOpenverseClustersServicesAndTemplates() async throws {
        let (ecs, _) = Self.seeded()
        let staging = try await ecs.describeServices(
            cluster: "staging-default",
            services: ["staging-api", "staging-nuxt", "staging-ingestion-server"]
        )
        #expect(staging.services.map(\.name) == ["staging-api", "staging-nuxt", "staging-ingestion-server"])
        #expect(staging.services.allSatisfy { $0.isStable })
        let production = try await ecs.describeService(cluster: "production-default", service: "production-api")
        #expect(production.taskDefinition.hasSuffix("task-definition/production-api:1"))

        let apiTemplate = try await ecs.describeTaskDefinition("staging-api-template")
        #expect(apiTemplate.containerDefinitions.map(\.name) == ["django", "nginx"])
        #expect(apiTemplate.container(named: "django")?.image.hasPrefix("ghcr.io/wordpress/openverse-api:") == true)
        #expect(apiTemplate.container(named: "nginx")?.image.hasPrefix("ghcr.io/wordpress/openverse-api_nginx:") == true)
        let frontend = try await ecs.describeTaskDefinition("production-nuxt")
        #expect(frontend.container(named: "nuxt")?.image == "ghcr.io/wordpress/openverse-frontend:rel-2024.01.01.00.00.00")
    }

    @Test func aDeploymentRollsOutAndReachesASteadyState() async throws {
        let (ecs, clock) = Self.seeded()
        let registered = try await Self.registerStagingAPI(ecs, tag: "abc123")
        #expect(registered.revision == 2)
        let arn = try #require(registered.arn)

        let updated = try await ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: arn)
        let primary = try #require(updated.primaryDeployment)
        #expect(primary.rolloutState == .inProgress)
        #expect(primary.taskDefinition == arn)
        #expect(updated.deployments.count == 2)
        #expect(!updated.isStable)

        clock.advance(by: .seconds(60))
        let midway = try await ecs.describeService(cluster: "staging-default", service: "staging-api")
        #expect(midway.primaryDeployment?.rolloutState == .inProgress)
        #expect(midway.events.first?.message.hasPrefix("(service staging-api) has started 1 tasks: (task ") == true)

        clock.advance(by: .seconds(150))
        let done = try await ecs.describeService(cluster: "staging-default", service: "staging-api")
        #expect(done.isStable)
        #expect(done.deployments.count == 1)
        #expect(done.primaryDeployment?.id == primary.id)
        #expect(done.primaryDeployment?.rolloutState == .completed)
        #expect(done.runningCount == done.desiredCount)
        #expect(done.taskDefinition == arn)
        #expect(done.events.first?.message == "(service staging-api) has reached a steady state.")
        #expect(done.events.dropFirst().first?.message == "(service staging-api) (deployment \(primary.id)) deployment completed.")
        // Events carry the virtual time they happened at, not the time they were observed.
        #expect(done.events.first?.createdAt == primary.createdAt?.addingTimeInterval(180))
    }

    @Test func aFailingImageTripsTheCircuitBreakerWhichRollsBackToThePreviousRevision() async throws {
        let (ecs, clock) = Self.seeded()
        ecs.failDeployments(withImageTag: "broken")
        let before = try await ecs.describeService(cluster: "staging-default", service: "staging-api")
        let registered = try await Self.registerStagingAPI(ecs, tag: "broken")
        let updated = try await ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: try #require(registered.arn))
        let failing = try #require(updated.primaryDeployment)

        clock.advance(by: .seconds(301))
        let rolledBack = try await ecs.describeService(cluster: "staging-default", service: "staging-api")
        #expect(rolledBack.taskDefinition == before.taskDefinition)
        let failed = try #require(rolledBack.deployments.first { $0.id == failing.id })
        #expect(failed.rolloutState == .failed)
        #expect(failed.status == .active)
        #expect(failed.rolloutStateReason == "ECS deployment circuit breaker: tasks failed to start.")
        let rollback = try #require(rolledBack.primaryDeployment)
        #expect(rollback.taskDefinition == before.taskDefinition)
        #expect(rollback.id != failing.id)
        let messages = rolledBack.events.map(\.message)
        #expect(messages.prefix(2) == [
            "(service staging-api) rolling back to deployment \(rollback.id).",
            "(service staging-api) (deployment \(failing.id)) deployment failed: tasks failed to start.",
        ])

        clock.advance(by: .seconds(180))
        let steady = try await ecs.describeService(cluster: "staging-default", service: "staging-api")
        #expect(steady.isStable)
        #expect(steady.taskDefinition == before.taskDefinition)
        #expect(steady.events.first?.message == "(service staging-api) has reached a steady state.")
        // The circuit breaker registers no revision of its own.
        #expect(try await ecs.listTaskDefinitions(family: "staging-api").count == 2)
    }

    @Test func aServiceMarkedFailingFailsWhateverItsImage() async throws {
        let (ecs, clock) = Self.seeded()
        ecs.failDeployments(ofService: "production-nuxt")
        let template = try await ecs.describeTaskDefinition("production-nuxt-template")
        let registered = try await ecs.registerTaskDefinition(try template.rendered(images: ["nuxt": "ghcr.io/wordpress/openverse-frontend:good"]))
        _ = try await ecs.updateService(cluster: "production-default", service: "production-nuxt", taskDefinition: try #require(registered.arn))
        clock.advance(by: .seconds(301))
        let service = try await ecs.describeService(cluster: "production-default", service: "production-nuxt")
        #expect(service.deployments.contains { $0.rolloutState == .failed })
        #expect(service.taskDefinition.hasSuffix("production-nuxt:1"))
    }

    @Test func throttlingIsRetriedOnTheVirtualClockThenSucceeds() async throws {
        let (ecs, clock) = Self.seeded()
        let start = clock.now
        ecs.injectAPIFault(.throttling, count: 2, operation: "UpdateService")
        let service = try await ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: "staging-api:1")
        #expect(service.primaryDeployment?.rolloutState == .inProgress)
        #expect(ecs.attempts(of: "UpdateService") == 3)
        // The back-off waited in virtual time: 50 ms then 100 ms (default policy, jitter pinned at half).
        #expect(abs(clock.now.timeIntervalSince(start) - 0.150) < 0.000_001)
    }

    @Test func persistentThrottlingSurfacesAWSsErrorAfterTheRetryBound() async throws {
        let clock = VirtualClock()
        let ecs = SimulatedECS(clock: clock, retry: RetryPolicy(maxAttempts: 3))
        ecs.seedOpenverse()
        ecs.injectAPIFault(.throttling, count: 10, operation: "DescribeServices")
        let error = await #expect(throws: AWSError.self) {
            try await ecs.describeServices(cluster: "staging-default", services: ["staging-api"])
        }
        #expect(error?.kind == .throttling)
        #expect(error?.code == "ThrottlingException")
        #expect(error?.operation == "ecs:DescribeServices")
        #expect(ecs.attempts(of: "DescribeServices") == 3)
    }

    @Test func aTransientServerErrorIsRetried() async throws {
        let (ecs, _) = Self.seeded()
        ecs.injectAPIFault(.serverError, count: 1)
        let definition = try await ecs.describeTaskDefinition("staging-api")
        #expect(definition.revision == 1)
        #expect(ecs.attempts(of: "DescribeTaskDefinition") == 2)
    }

    @Test func describingMoreThanTenServicesTakesOneCallPerTenAndReportsTheMissing() async throws {
        let (ecs, _) = Self.seeded()
        let names = ["staging-api", "staging-nuxt"] + (1...10).map { "ghost-\($0)" }
        let answer = try await ecs.describeServices(cluster: "staging-default", services: names)
        #expect(answer.services.map(\.name) == ["staging-api", "staging-nuxt"])
        #expect(answer.failures.count == 10)
        #expect(answer.failures.allSatisfy { $0.reason == "MISSING" })
        #expect(answer.failures.first?.arn.hasSuffix("service/staging-default/ghost-1") == true)
        #expect(ecs.attempts(of: "DescribeServices") == 2)
    }

    @Test func unknownResourcesAreNamedInTheirErrors() async throws {
        let (ecs, _) = Self.seeded()
        let cluster = await #expect(throws: ECSError.self) {
            try await ecs.describeServices(cluster: "qa-default", services: ["qa-api"])
        }
        #expect(cluster?.code == .clusterNotFound)
        #expect(cluster?.message == "cluster qa-default not found")

        let service = await #expect(throws: ECSError.self) {
            try await ecs.updateService(cluster: "staging-default", service: "staging-catalog", taskDefinition: "staging-api:1")
        }
        #expect(service?.message == "service staging-catalog not found in cluster staging-default")

        let target = await #expect(throws: ECSError.self) {
            try await ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: "staging-api:7")
        }
        #expect(target?.message == "task definition staging-api:7 not found")

        let family = await #expect(throws: ECSError.self) { try await ecs.describeTaskDefinition("staging-catalog-template") }
        #expect(family?.code == .taskDefinitionNotFound)
        #expect(family?.message == "task definition staging-catalog-template not found")

        let revision = await #expect(throws: ECSError.self) { try await ecs.describeTaskDefinition("staging-api:99") }
        #expect(revision?.message == "task definition staging-api:99 not found")
    }

    @Test func taskDefinitionsAreFoundByFamilyRevisionOrARN() async throws {
        let (ecs, _) = Self.seeded()
        let registered = try await Self.registerStagingAPI(ecs, tag: "abc123")
        let arn = try #require(registered.arn)
        #expect(try await ecs.describeTaskDefinition("staging-api").revision == 2)
        #expect(try await ecs.describeTaskDefinition("staging-api:1").revision == 1)
        #expect(try await ecs.describeTaskDefinition(arn).container(named: "django")?.image == "ghcr.io/wordpress/openverse-api:abc123")
        let first = arn.replacingOccurrences(of: "staging-api:2", with: "staging-api:1")
        #expect(try await ecs.listTaskDefinitions(family: "staging-api") == [first, arn])
    }
}
