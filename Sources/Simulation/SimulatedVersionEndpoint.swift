import Deploy
import ECS
import Foundation

/// A version endpoint that reports the tag of the image the simulated service runs now,
/// as a real one would once the new tasks serve traffic.
public struct SimulatedVersionEndpoint: VersionFetcher {
    /// What the endpoint at a URL reports on.
    public struct Target: Sendable {
        public var cluster: String
        public var service: String
        /// The container whose image tag is the release (the app's first).
        public var container: String

        public init(cluster: String, service: String, container: String) {
            self.cluster = cluster
            self.service = service
            self.container = container
        }
    }

    private let ecs: any ECSClient
    private let targets: [String: Target]

    public init(ecs: any ECSClient, targets: [String: Target]) {
        self.ecs = ecs
        self.targets = targets
    }

    /// Every version endpoint `configuration` names, each following its service.
    public init(ecs: any ECSClient, configuration: ShiplogConfiguration) {
        var targets: [String: Target] = [:]
        for app in configuration.apps.values {
            for environment in app.environments.values {
                guard let url = environment.versionEndpoint, let container = app.containers.first else { continue }
                targets[url] = Target(cluster: environment.cluster, service: environment.service, container: container.name)
            }
        }
        self.init(ecs: ecs, targets: targets)
    }

    public func fetch(_ url: String) async throws -> String {
        guard let target = targets[url] else { throw DeployError.notFound("\(url): no such simulated endpoint") }
        let service = try await ecs.describeService(cluster: target.cluster, service: target.service)
        let definition = try await ecs.describeTaskDefinition(service.taskDefinition)
        let image = definition.container(named: target.container)?.image ?? ""
        return #"{"release":"\#(ImageTag.of(image))"}"#
    }
}
