import AWS
import Clocks
import Deploy
import ECS
import Foundation
import Ledger
import Registry
import Simulation
import TestSupport
import Testing

/// A deploy and a rollback end to end through the real ECS and ECR drivers against moto
/// (scripts/test starts it and sets SHIPLOG_TEST_MOTO_URL), checked through the AWS API.
///
/// moto does not simulate rollouts: its services report their tasks running at once
/// (MOTO_ECS_SERVICE_RUNNING=1), so "stable" is judged as the services-stable waiter judges it,
/// together with the service's task definition.
@Suite(.enabled(if: TestServices.runMotoTests, "\(TestServices.motoMissing)"))
struct DeployMotoTests {
    let aws: AWSClientConfiguration
    let suffix = String(UUID().uuidString.prefix(8)).lowercased()
    let account = "123456789012"
    let directory = TemporaryDirectory()

    init() throws {
        let moto = try #require(TestServices.motoURL, "\(TestServices.motoMissing)")
        aws = AWSClientConfiguration(
            region: "us-east-1",
            endpoint: moto,
            credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
            retry: RetryPolicy(maxAttempts: 2, maxTotalTime: .seconds(5)),
            timeout: .seconds(60))
    }

    var registryHost: String { "\(account).dkr.ecr.us-east-1.amazonaws.com" }
    var cluster: String { "staging-default-\(suffix)" }
    var service: String { "staging-api-\(suffix)" }

    /// The ECR repositories with their tags, the template family, revision 1 running `v1`, and the service.
    func seed() async throws -> ShiplogConfiguration {
        let ecr = AWSJSONClient(service: .ecr, configuration: aws)
        let manifest = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",\
            "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},\
            "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,"digest":"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"}]}
            """
        let containers = [("django", "openverse-api-\(suffix)"), ("nginx", "openverse-api_nginx-\(suffix)")]
        for (_, repository) in containers {
            _ = try await ecr.call("CreateRepository", ["repositoryName": .string(repository)])
            for tag in ["v1", "v2"] {
                _ = try await ecr.call("PutImage", ["repositoryName": .string(repository), "imageManifest": .string(manifest), "imageTag": .string(tag)])
            }
        }
        let ecs = AWSECSClient(configuration: aws)
        _ = try await ecs.createCluster(name: cluster)
        let template = try await ecs.registerTaskDefinition(TaskDefinition(
            family: "\(service)-template",
            containerDefinitions: containers.map { name, repository in
                ContainerDefinition(name: name, image: "\(registryHost)/\(repository):latest",
                                    environment: [EnvironmentVariable(name: "ENVIRONMENT", value: "staging")], raw: ["memory": 256, "essential": true])
            },
            raw: ["cpu": "512", "memory": "1024"]))
        let first = try await ecs.registerTaskDefinition(try template.rendered(images: Dictionary(uniqueKeysWithValues: containers.map {
            ($0.0, "\(registryHost)/\($0.1):v1")
        })))
        _ = try await ecs.createService(cluster: cluster, name: service, taskDefinition: try #require(first.arn), desiredCount: 1)
        return ShiplogConfiguration(
            file: "shiplog.yml",
            drivers: .init(ecs: .aws, registry: .live, region: "us-east-1", endpoint: aws.endpoint),
            maintainers: ["ana-maintainer"], deployers: ["cara-contributor"],
            apps: ["api": .init(
                name: "api", registry: registryHost,
                containers: containers.map { .init(name: $0.0, image: "\(registryHost)/\($0.1)") },
                environments: ["staging": .init(name: "staging", cluster: cluster, service: service, templateFamily: "\(service)-template")])])
    }

    func engine(_ configuration: ShiplogConfiguration, store: EventStore) -> DeploymentEngine {
        let aws = aws, account = account
        var engine = DeploymentEngine(
            configuration: configuration, store: store,
            drivers: DeployDrivers(
                ecs: AWSECSClient(configuration: aws),
                registry: { _ in ECRRegistryClient(configuration: aws, registryID: account) },
                versions: HTTPVersionFetcher()),
            clock: SystemClock())
        engine.pollInterval = .milliseconds(200)
        return engine
    }

    @Test func aDeployThenARollbackMoveTheServiceAndAreCheckedThroughTheAWSAPI() async throws {
        let configuration = try await seed()
        let store = try EventStore(path: directory.path("ledger.sqlite"), access: .readWrite(create: true))
        let engine = engine(configuration, store: store)
        let ecs = AWSECSClient(configuration: aws)

        let deployed = try await engine.deploy(app: "api", environment: "staging", tag: "v2", trigger: .merge,
                                               metadata: EventMetadata(actor: "cara-contributor"))
        #expect(deployed.outcome == .succeeded, "\(deployed.summary)")
        var now = try await ecs.describeService(cluster: cluster, service: service)
        #expect(now.taskDefinition.hasSuffix("task-definition/\(service):2"))
        var definition = try await ecs.describeTaskDefinition(now.taskDefinition)
        #expect(definition.family == service)
        #expect(definition.container(named: "django")?.image == "\(registryHost)/openverse-api-\(suffix):v2")
        #expect(definition.container(named: "nginx")?.image == "\(registryHost)/openverse-api_nginx-\(suffix):v2")
        #expect(definition.container(named: "django")?.environment == [EnvironmentVariable(name: "ENVIRONMENT", value: "staging")])
        let verified = try store.events(EventFilter(stream: deployed.id, type: "ImageVerified"))
        #expect(verified.count == 2)
        #expect(try verified.allSatisfy { try ImageVerified.decode(from: $0.data).digest?.hasPrefix("sha256:") == true })

        let refused = await #expect(throws: DeployError.self) {
            try await engine.rollback(app: "api", environment: "staging", tag: "v1", metadata: EventMetadata(actor: "cara-contributor"))
        }
        #expect(refused?.code == .accessDenied)
        let missing = await #expect(throws: DeployError.self) {
            try await engine.rollback(app: "api", environment: "staging", tag: "v0", metadata: EventMetadata(actor: "ana-maintainer"))
        }
        #expect(missing?.message.contains("nearest existing tags: v1, v2") == true)

        let rolledBack = try await engine.rollback(app: "api", environment: "staging", tag: "v1", metadata: EventMetadata(actor: "ana-maintainer"))
        #expect(rolledBack.outcome == .succeeded, "\(rolledBack.summary)")
        now = try await ecs.describeService(cluster: cluster, service: service)
        #expect(now.taskDefinition.hasSuffix("task-definition/\(service):1"), "the revision that ran v1 is reused")
        definition = try await ecs.describeTaskDefinition(now.taskDefinition)
        #expect(definition.container(named: "django")?.image == "\(registryHost)/openverse-api-\(suffix):v1")
        #expect(try await ecs.listTaskDefinitions(family: service).count == 2, "no third revision was registered")
        let history = try store.deployments()
        #expect(history.map(\.trigger) == ["rollback", "merge"])
        #expect(history.map(\.outcome) == [.succeeded, .succeeded])
    }

    @Test func theSimulatedRegistryWorksBesideTheAWSECSDriver() async throws {
        var configuration = try await seed()
        configuration.drivers.registry = .simulated
        configuration.drivers.simulatedTags = ["v1", "v3"]
        let configured = try await ConfiguredDrivers.make(configuration, databasePath: directory.path("ledger.sqlite"))
        #expect(configured.world == nil)
        let store = try EventStore(path: directory.path("ledger.sqlite"), access: .readWrite(create: true))
        let aws = aws
        var engine = DeploymentEngine(
            configuration: configuration, store: store,
            drivers: DeployDrivers(ecs: AWSECSClient(configuration: aws), registry: configured.drivers.registry, versions: HTTPVersionFetcher()),
            clock: SystemClock())
        engine.pollInterval = .milliseconds(200)

        let deployed = try await engine.deploy(app: "api", environment: "staging", tag: "v3", metadata: EventMetadata(actor: "cara-contributor"))
        #expect(deployed.outcome == .succeeded, "\(deployed.summary)")
        let verified = try store.events(EventFilter(stream: deployed.id, type: "ImageVerified")).map { try ImageVerified.decode(from: $0.data) }
        #expect(verified.map(\.tag) == ["v3", "v3"])
        #expect(verified.allSatisfy { $0.digest?.hasPrefix("sha256:") == true })
        let now = try await AWSECSClient(configuration: aws).describeService(cluster: cluster, service: service)
        let definition = try await AWSECSClient(configuration: aws).describeTaskDefinition(now.taskDefinition)
        #expect(definition.container(named: "django")?.image == "\(registryHost)/openverse-api-\(suffix):v3")
        // A tag the simulated registry does not hold is refused before anything is written.
        await #expect(throws: DeployError.self) {
            try await engine.deploy(app: "api", environment: "staging", tag: "v2", metadata: EventMetadata(actor: "cara-contributor"))
        }
    }
}
