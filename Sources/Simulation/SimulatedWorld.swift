import AWS
import Clocks
import Deploy
import ECS
import Foundation
import Ledger
import Registry

/// The simulated ECS and registry of `drivers.ecs: simulated`, kept in a JSON file beside the
/// ledger (`<db>.simulated-ecs.json`) so that `shiplog deploy` and a later `shiplog status` see
/// the same services.
///
/// The first use seeds, from the configuration, every app's clusters, template families and
/// services, each steady on revision 1 of its rendered family. The virtual clock carries on from
/// where the last command left it (or from now, when the wall clock is ahead), so deploys take
/// their simulated minutes without anyone waiting.
public final class SimulatedWorld: Sendable {
    public let ecs: SimulatedECS
    public let registry: SimulatedRegistry
    public let clock: VirtualClock
    public let path: String

    private struct Snapshot: Codable {
        var now: Date
        var ecs: String
    }

    /// Loads the world saved at `path`, or seeds a new one from `configuration`.
    public init(path: String, configuration: ShiplogConfiguration) async throws {
        self.path = path
        var saved: Snapshot?
        // A new world is seeded an hour back, so its first rollouts have finished by now.
        var start = Date().addingTimeInterval(FileManager.default.fileExists(atPath: path) ? 0 : -Self.seedSettling)
        if let data = FileManager.default.contents(atPath: path) {
            do {
                saved = try JSONDecoder().decode(Snapshot.self, from: data)
            } catch {
                throw DeployError.badRequest("\(path) is not a simulated ECS state file (delete it to start a new simulation)")
            }
            start = max(start, saved?.now ?? start)
        }
        clock = VirtualClock(start: start)
        ecs = SimulatedECS(clock: clock)
        registry = Self.registry(configuration)
        if let saved {
            try ecs.importState(Data(saved.ecs.utf8))
        } else {
            try await Self.seed(ecs, clock: clock, configuration: configuration)
        }
        ecs.clearDeploymentFaults()
        for tag in configuration.drivers.failingTags { ecs.failDeployments(withImageTag: tag) }
    }

    /// A simulated registry holding `drivers.simulated_tags` of every app's images, the same
    /// digests in every process; `drivers.registry: simulated` uses it beside any ECS driver.
    public static func registry(_ configuration: ShiplogConfiguration) -> SimulatedRegistry {
        let registry = SimulatedRegistry(name: "simulated")
        for app in configuration.apps.values.sorted(by: { $0.name < $1.name }) {
            for container in app.containers {
                let repository = (try? ImageReference(container.image).repository) ?? container.image
                for tag in configuration.drivers.simulatedTags {
                    registry.push(repository: repository, tag: tag, digest: digest("\(repository):\(tag)"))
                }
            }
        }
        return registry
    }

    private static let seedSettling: TimeInterval = 3600

    /// The tag every simulated service runs before the first deploy.
    public static func initialTag(_ configuration: ShiplogConfiguration) -> String {
        configuration.drivers.simulatedTags.first ?? "initial"
    }

    /// Writes the world back for the next command.
    public func save() throws {
        let snapshot = Snapshot(now: clock.now, ecs: String(decoding: try ecs.exportState(), as: UTF8.self))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try encoder.encode(snapshot).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DeployError.badRequest("cannot write the simulated ECS state \(path): \(error.localizedDescription)")
        }
    }

    private static func seed(_ ecs: SimulatedECS, clock: VirtualClock, configuration: ShiplogConfiguration) async throws {
        let initial = initialTag(configuration)
        for app in configuration.apps.values.sorted(by: { $0.name < $1.name }) {
            for place in app.environments.values.sorted(by: { $0.name < $1.name }) {
                _ = try await ecs.createCluster(name: place.cluster)
                let containers = app.containers.map { container in
                    ContainerDefinition(
                        name: container.name, image: "\(container.image):\(initial)",
                        environment: [EnvironmentVariable(name: "ENVIRONMENT", value: place.name)],
                        raw: ["essential": true, "logConfiguration": ["logDriver": "awslogs", "options": ["awslogs-group": .string("/ecs/\(place.service)")]]])
                }
                let template = try await ecs.registerTaskDefinition(TaskDefinition(
                    family: place.templateFamily, containerDefinitions: containers,
                    raw: ["cpu": "512", "memory": "1024", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"]]))
                let running = try await ecs.registerTaskDefinition(try template.rendered(images: app.images(tag: initial)))
                _ = try await ecs.createService(cluster: place.cluster, name: place.service, taskDefinition: running.arn ?? "", desiredCount: 1)
            }
        }
        // Let the first rollouts finish, so every service starts steady.
        clock.advance(by: .seconds(Int64(seedSettling)))
    }

    /// A well-formed, stable stand-in digest for `seed` (the same in every process).
    static func digest(_ seed: String) -> String {
        var hex = ""
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for round in 0..<4 {
            for byte in seed.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
            value ^= UInt64(round + 1)
            let part = String(value, radix: 16)
            hex += String(repeating: "0", count: 16 - part.count) + part
        }
        return "sha256:\(hex)"
    }
}
