import AWS
import ECS
import Foundation
import TestSupport
import Testing

/// The real ECS driver against moto's ECS API (scripts/test starts moto and sets SHIPLOG_TEST_MOTO_URL).
@Suite(.enabled(if: TestServices.runMotoTests, "\(TestServices.motoMissing)"))
struct AWSECSClientMotoTests {
    let ecs: AWSECSClient
    /// Moto keeps state between tests; each test works under its own names.
    let suffix = String(UUID().uuidString.prefix(8)).lowercased()

    init() throws {
        let url = try #require(TestServices.motoURL, "\(TestServices.motoMissing)")
        ecs = AWSECSClient(
            configuration: AWSClientConfiguration(
                region: "us-east-1",
                endpoint: url,
                credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
                retry: RetryPolicy(maxAttempts: 2, maxTotalTime: .seconds(5)),
                timeout: .seconds(60)
            )
        )
    }

    func registerTemplate(family: String) async throws -> TaskDefinition {
        try await ecs.registerTaskDefinition(
            TaskDefinition(
                family: family,
                containerDefinitions: [
                    ContainerDefinition(
                        name: "django",
                        image: "ghcr.io/wordpress/openverse-api:latest",
                        environment: [EnvironmentVariable(name: "DJANGO_DEBUG_ENABLED", value: "false")],
                        raw: ["memory": 512, "essential": true, "portMappings": [["containerPort": 8000, "hostPort": 8000]]]
                    ),
                    ContainerDefinition(name: "nginx", image: "ghcr.io/wordpress/openverse-api_nginx:latest", raw: ["memory": 128]),
                ],
                raw: ["cpu": "512", "memory": "1024"]
            )
        )
    }

    @Test func deployFlowRegistersARenderedDefinitionAndUpdatesTheService() async throws {
        let cluster = "staging-default-\(suffix)"
        let service = "staging-api-\(suffix)"
        let created = try await ecs.createCluster(name: cluster)
        #expect(created.name == cluster)

        let template = try await registerTemplate(family: "\(service)-template")
        #expect(template.revision == 1)
        let latest = try await ecs.describeTaskDefinition("\(service)-template")
        #expect(latest.arn == template.arn)

        let first = try await ecs.registerTaskDefinition(try latest.rendered(images: [
            "django": "ghcr.io/wordpress/openverse-api:abc123",
            "nginx": "ghcr.io/wordpress/openverse-api_nginx:abc123",
        ]))
        #expect(first.family == service)
        let firstARN = try #require(first.arn)
        let described = try await ecs.describeTaskDefinition(firstARN)
        #expect(described.container(named: "django")?.image == "ghcr.io/wordpress/openverse-api:abc123")
        #expect(described.container(named: "django")?.environment == [EnvironmentVariable(name: "DJANGO_DEBUG_ENABLED", value: "false")])
        #expect(described.container(named: "django")?.raw["portMappings"]?.arrayValue?.first?["containerPort"] == 8000)
        #expect(described.raw["cpu"] == "512")

        let running = try await ecs.createService(cluster: cluster, name: service, taskDefinition: firstARN, desiredCount: 1)
        #expect(running.taskDefinition == firstARN)

        let second = try await ecs.registerTaskDefinition(try latest.rendered(images: ["django": "ghcr.io/wordpress/openverse-api:def456"]))
        let secondARN = try #require(second.arn)
        #expect(second.revision == 2)
        let updated = try await ecs.updateService(cluster: cluster, service: service, taskDefinition: secondARN)
        // Moto points the service at the new revision but, unlike ECS, keeps its first deployment
        // record, so the simulator's tests cover deployments; here the service's own field must move.
        #expect(updated.taskDefinition == secondARN)

        let now = try await ecs.describeService(cluster: cluster, service: service)
        #expect(now.taskDefinition == secondARN)
        #expect(now.desiredCount == 1)
        // scripts/lib/services.sh starts moto with MOTO_ECS_SERVICE_RUNNING=1.
        #expect(now.runningCount == 1)
        #expect(now.primaryDeployment != nil)

        // `familyPrefix` would also match the template family; the driver lists exactly this family.
        #expect(try await ecs.listTaskDefinitions(family: service) == [firstARN, secondARN])
    }

    @Test func describeServicesBatchesBeyondTenAndReportsTheMissing() async throws {
        let cluster = "production-default-\(suffix)"
        _ = try await ecs.createCluster(name: cluster)
        let definition = try await registerTemplate(family: "production-api-\(suffix)")
        _ = try await ecs.createService(cluster: cluster, name: "production-api", taskDefinition: try #require(definition.arn), desiredCount: 1)
        let names = ["production-api"] + (1...11).map { "ghost-\($0)" }
        let answer = try await ecs.describeServices(cluster: cluster, services: names)
        #expect(answer.services.map(\.name) == ["production-api"])
        #expect(answer.failures.count == 11)
        #expect(answer.failures.allSatisfy { $0.reason == "MISSING" })
    }

    @Test func unknownClusterServiceAndFamilyBecomeNamedErrors() async throws {
        let cluster = await #expect(throws: ECSError.self) {
            try await ecs.describeServices(cluster: "no-such-cluster-\(suffix)", services: ["staging-api"])
        }
        #expect(cluster?.code == .clusterNotFound)
        #expect(cluster?.message == "cluster no-such-cluster-\(suffix) not found")

        let clusterName = "staging-default-\(suffix)"
        _ = try await ecs.createCluster(name: clusterName)
        let service = await #expect(throws: ECSError.self) {
            try await ecs.updateService(cluster: clusterName, service: "staging-catalog", taskDefinition: "staging-catalog:1")
        }
        #expect(service?.code == .serviceNotFound)
        #expect(service?.message == "service staging-catalog not found in cluster \(clusterName)")
        let described = await #expect(throws: ECSError.self) {
            try await ecs.describeService(cluster: clusterName, service: "staging-catalog")
        }
        #expect(described?.code == .serviceNotFound)

        let definition = try await registerTemplate(family: "staging-catalog-\(suffix)")
        _ = try await ecs.createService(cluster: clusterName, name: "staging-catalog", taskDefinition: try #require(definition.arn), desiredCount: 1)
        let target = await #expect(throws: ECSError.self) {
            try await ecs.updateService(cluster: clusterName, service: "staging-catalog", taskDefinition: "staging-catalog-\(suffix):9")
        }
        #expect(target?.code == .taskDefinitionNotFound)
        #expect(target?.message == "task definition staging-catalog-\(suffix):9 not found")

        let family = await #expect(throws: ECSError.self) { try await ecs.describeTaskDefinition("no-such-family-\(suffix)-template") }
        #expect(family?.code == .taskDefinitionNotFound)
        #expect(family?.message == "task definition no-such-family-\(suffix)-template not found")
    }
}
