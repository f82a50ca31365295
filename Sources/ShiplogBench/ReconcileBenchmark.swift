import AWS
import Clocks
import Deploy
import ECS
import Foundation
import Ledger
import Registry
import Simulation

/// One reconcile pass over many services on the simulated ECS: how long it takes, and how many
/// calls it makes beside the fewest possible.
struct ReconcileBenchmark {
    let services: Int
    let clusters = 5
    let work: String

    struct Result {
        var coldSeconds: Double
        var warmSeconds: Double
        var describeServicesCalls: Int
        var minimumDescribeServicesCalls: Int
        var describeTaskDefinitionCalls: Int
        var drifting: Int
    }

    func run() async throws -> Result {
        let clock = VirtualClock()
        let ecs = SimulatedECS(clock: clock)
        let path = URL(fileURLWithPath: work).appending(path: "reconcile.sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try EventStore(path: path, access: .readWrite(create: true))
        defer { store.close() }

        var apps: [String: ShiplogConfiguration.App] = [:]
        var events: [NewEvent] = []
        for cluster in 0..<clusters { _ = try await ecs.createCluster(name: "cluster-\(cluster)") }
        for index in 0..<services {
            let name = "svc-\(index)", cluster = "cluster-\(index % clusters)"
            let definition = try await ecs.registerTaskDefinition(TaskDefinition(
                family: name, containerDefinitions: [ContainerDefinition(name: "app", image: "ghcr.io/example/\(name):v1")]))
            let arn = definition.arn ?? ""
            _ = try await ecs.createService(cluster: cluster, name: name, taskDefinition: arn, desiredCount: 1)
            apps["app-\(index)"] = .init(
                name: "app-\(index)", registry: "simulated", containers: [.init(name: "app", image: "ghcr.io/example/\(name)")],
                environments: ["staging": .init(name: "staging", cluster: cluster, service: name, templateFamily: "\(name)-template")])
            let stream = "deployment-\(index)"
            events.append(NewEvent(stream: stream, DeploymentRequested(app: "app-\(index)", environment: "staging", tag: "v1", trigger: .merge)))
            events.append(NewEvent(stream: stream, DeploymentStable(taskDefinitionArn: arn)))
        }
        _ = try await store.append(events)
        // One service in fifty is pointed elsewhere behind the ledger's back.
        for index in stride(from: 0, to: services, by: 50) {
            let other = try await ecs.registerTaskDefinition(TaskDefinition(
                family: "svc-\(index)", containerDefinitions: [ContainerDefinition(name: "app", image: "ghcr.io/example/svc-\(index):v0")]))
            _ = try await ecs.updateService(cluster: "cluster-\(index % clusters)", service: "svc-\(index)", taskDefinition: other.arn ?? "")
        }
        clock.advance(by: .seconds(3600))

        let configuration = ShiplogConfiguration(maintainers: ["bench"], apps: apps)
        let engine = DeploymentEngine(
            configuration: configuration, store: store,
            drivers: DeployDrivers(ecs: ecs, registry: { _ in SimulatedRegistry() }, versions: SimulatedVersionEndpoint(ecs: ecs, targets: [:])),
            clock: clock)
        let reconciler = Reconciler(engine: engine, detector: DriftDetector(configuration: configuration, ecs: ecs))
        let metadata = EventMetadata(actor: "bench")

        let describesBefore = ecs.attempts(of: "DescribeServices")
        var started = ContinuousClock.now
        let cold = try await reconciler.pass(mode: .report, metadata: metadata)
        let coldSeconds = seconds(since: started)
        let describeServicesCalls = ecs.attempts(of: "DescribeServices") - describesBefore
        started = ContinuousClock.now
        _ = try await reconciler.pass(mode: .report, metadata: metadata)
        let warmSeconds = seconds(since: started)
        return Result(
            coldSeconds: coldSeconds, warmSeconds: warmSeconds, describeServicesCalls: describeServicesCalls,
            minimumDescribeServicesCalls: (services + 9) / 10, describeTaskDefinitionCalls: cold.drift.describeTaskDefinitionCalls,
            drifting: cold.drift.drifted.count)
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
