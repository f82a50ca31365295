import ECS
import Registry

/// What the workflow engine talks to: ECS, each app's image registry, and version endpoints.
public struct DeployDrivers: Sendable {
    public var ecs: any ECSClient
    /// The registry that holds an app's images.
    public var registry: @Sendable (ShiplogConfiguration.App) throws -> any ImageRegistry
    public var versions: any VersionFetcher

    public init(
        ecs: any ECSClient,
        registry: @escaping @Sendable (ShiplogConfiguration.App) throws -> any ImageRegistry,
        versions: any VersionFetcher
    ) {
        self.ecs = ecs
        self.registry = registry
        self.versions = versions
    }
}
