import AWS
import Clocks
import Deploy
import ECS
import Foundation
import Ledger
import Registry

/// The drivers a configuration names, with the clock the engine polls on, and the workflow
/// engine over them: the one wiring the CLI and the service share.
///
/// The ledger always records the wall clock: on the simulated ECS the engine's clock is virtual
/// (rollouts take their simulated minutes at once), and that time goes into the events' data
/// (a deployment's `duration_ms`), never into `recorded_at`.
public struct ConfiguredDrivers: Sendable {
    public var drivers: DeployDrivers
    public var clock: any ShiplogClock
    /// Set for `drivers.ecs: simulated`: save it after the command.
    public var world: SimulatedWorld?

    /// Builds the drivers; on the simulated ECS, loads (or seeds) the world saved beside `databasePath`.
    public static func make(_ configuration: ShiplogConfiguration, databasePath: String) async throws -> ConfiguredDrivers {
        let drivers = configuration.drivers
        switch drivers.ecs {
        case .simulated:
            let world = try await SimulatedWorld(path: databasePath + ".simulated-ecs.json", configuration: configuration)
            let registry = registries(configuration, simulated: world.registry, forceSimulated: drivers.registry == .simulated)
            return ConfiguredDrivers(
                drivers: DeployDrivers(
                    ecs: world.ecs,
                    registry: registry,
                    versions: SimulatedVersionEndpoint(ecs: world.ecs, configuration: configuration)),
                clock: world.clock, world: world)
        case .aws:
            let ecs = AWSECSClient(configuration: AWSClientConfiguration(region: drivers.region, endpoint: drivers.endpoint))
            // The simulated registry holds the configuration's `simulated_tags`, as beside the simulated ECS.
            let simulated = SimulatedWorld.registry(configuration)
            return ConfiguredDrivers(
                drivers: DeployDrivers(
                    ecs: ecs,
                    registry: registries(configuration, simulated: simulated, forceSimulated: drivers.registry == .simulated),
                    versions: HTTPVersionFetcher()),
                clock: SystemClock(), world: nil)
        }
    }

    /// The workflow engine over these drivers. The simulated ECS is saved after every recorded
    /// step, so a process killed mid-deploy leaves the simulation where the ledger says it was (as
    /// a real ECS would be), and a CLI beside the service sees what the service did.
    ///
    /// - Parameter wallClock: what the ledger records by; claims' heartbeats and expiry compare with it.
    public func engine(
        _ configuration: ShiplogConfiguration, store: EventStore, wallClock: any ShiplogClock = SystemClock()
    ) -> DeploymentEngine {
        var engine = DeploymentEngine(configuration: configuration, store: store, drivers: drivers, clock: clock)
        engine.claimClock = wallClock
        let world = world
        engine.afterStep = { _, _ in try world?.save() }
        return engine
    }

    /// The reconciler over `engine` and these drivers' ECS.
    public func reconciler(_ engine: DeploymentEngine) -> Reconciler {
        Reconciler(engine: engine, detector: DriftDetector(configuration: engine.configuration, ecs: drivers.ecs))
    }

    /// Each app's own registry: ECR's API for an ECR host, the OCI distribution API otherwise.
    static func registries(
        _ configuration: ShiplogConfiguration, simulated: SimulatedRegistry, forceSimulated: Bool
    ) -> @Sendable (ShiplogConfiguration.App) throws -> any ImageRegistry {
        let drivers = configuration.drivers
        return { @Sendable app in
            if forceSimulated || app.registry == "simulated" { return simulated }
            if app.registry.contains("://") { return OCIRegistryClient(baseURL: app.registry) }
            let reference = ImageReference(registry: app.registry, repository: "")
            if let ecr = reference.ecrLocation {
                return ECRRegistryClient(
                    configuration: AWSClientConfiguration(region: ecr.region, endpoint: drivers.endpoint), registryID: ecr.registryID)
            }
            return OCIRegistryClient(baseURL: reference.apiBaseURL)
        }
    }
}
