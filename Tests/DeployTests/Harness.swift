import AWS
import Clocks
import Deploy
import ECS
import Foundation
import Ledger
import Registry
import Simulation
import Synchronization
import TestSupport

/// A ledger, a seeded simulated ECS and registry on one virtual clock, and an engine over them,
/// configured by the example `shiplog init` writes.
struct Harness {
    let directory = TemporaryDirectory()
    let world: SimulatedWorld
    let store: EventStore
    let configuration: ShiplogConfiguration
    let lines = Lines()

    static let cara = EventMetadata(actor: "cara-contributor")
    static let ana = EventMetadata(actor: "ana-maintainer")
    static let botForAna = EventMetadata(actor: "openverse-bot", onBehalfOf: "ana-maintainer")

    init(_ adjust: (inout ShiplogConfiguration) -> Void = { _ in }) async throws {
        var configuration = try ShiplogConfiguration.parse(ExampleConfiguration.text, file: "shiplog.yml")
        adjust(&configuration)
        self.configuration = configuration
        world = try await SimulatedWorld(path: directory.path("world.json"), configuration: configuration)
        store = try EventStore(path: directory.path("ledger.sqlite"), access: .readWrite(create: true))
    }

    var clock: VirtualClock { world.clock }

    /// A new engine over the same ledger and world: what the next `shiplog` process would build.
    /// - Parameter adjust: changes the configuration the engine sees, not the one the world was seeded from.
    func engine(versions: (any VersionFetcher)? = nil, adjust: (inout ShiplogConfiguration) -> Void = { _ in }) -> DeploymentEngine {
        let registry = world.registry
        var configuration = configuration
        adjust(&configuration)
        var engine = DeploymentEngine(
            configuration: configuration, store: store,
            drivers: DeployDrivers(
                ecs: world.ecs, registry: { _ in registry },
                versions: versions ?? SimulatedVersionEndpoint(ecs: world.ecs, configuration: configuration)),
            clock: world.clock)
        // Claims and their heartbeats on the ledger's (virtual) clock, read again often.
        engine.claimClock = world.clock
        engine.queueing.pollInterval = .milliseconds(5)
        let lines = lines
        engine.progress = { lines.append($0.line) }
        return engine
    }

    /// An engine over this ledger and registry whose ECS is the real AWS driver against `baseURL`:
    /// a loopback stub that answers as ECS's JSON 1.1 API does.
    func engine(ecsAt baseURL: String) -> DeploymentEngine {
        let ecs = AWSECSClient(configuration: AWSClientConfiguration(
            region: "us-east-1", endpoint: URL(string: baseURL),
            credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
            retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxTotalTime: .seconds(5)), timeout: .seconds(10)))
        let registry = world.registry
        return DeploymentEngine(
            configuration: configuration, store: store,
            drivers: DeployDrivers(ecs: ecs, registry: { _ in registry }, versions: SimulatedVersionEndpoint(ecs: world.ecs, configuration: configuration)),
            clock: world.clock)
    }

    /// The types of the events of `stream`, in order.
    func types(_ stream: String) throws -> [String] {
        try store.events(EventFilter(stream: stream)).map(\.type)
    }

    func service(_ name: String, cluster: String = "staging-default") async throws -> ECSService {
        try await world.ecs.describeService(cluster: cluster, service: name)
    }

    /// The images of the task definition the service points at, by container.
    func runningImages(_ name: String, cluster: String = "staging-default") async throws -> (family: String, images: [String: String]) {
        let definition = try await world.ecs.describeTaskDefinition(try await service(name, cluster: cluster).taskDefinition)
        return (definition.family, Dictionary(uniqueKeysWithValues: definition.containerDefinitions.map { ($0.name, $0.image) }))
    }
}

/// Progress lines, collected from any task.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// A value set from inside a hook.
final class Box<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    var get: Value? { value.withLock { $0 } }
}

let deploymentTerminalTypes: Set<String> = [DeploymentStable.eventType, DeploymentFailed.eventType, DeploymentTimedOut.eventType]
