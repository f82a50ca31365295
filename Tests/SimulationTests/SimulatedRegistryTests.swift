import Registry
import Simulation
import Testing

struct SimulatedRegistryTests {
    @Test func answersTagsAndDigestsOfWhatWasPushed() async throws {
        let registry = SimulatedRegistry(name: "ghcr.io")
        let digest = registry.push(repository: "wordpress/openverse-api", tag: "rel-2024.01.01.00.00.00")
        registry.push(repository: "wordpress/openverse-api", tag: "abc123")
        #expect(try await registry.digest(repository: "wordpress/openverse-api", tag: "rel-2024.01.01.00.00.00") == digest)
        #expect(try await registry.tags(repository: "wordpress/openverse-api") == ["rel-2024.01.01.00.00.00", "abc123"])
        #expect(try await registry.tagExists(repository: "wordpress/openverse-api", tag: "abc123"))
        #expect(try await !registry.tagExists(repository: "wordpress/openverse-api", tag: "nope"))
    }

    @Test func namesTheMissingTagOrRepository() async throws {
        let registry = SimulatedRegistry(name: "ghcr.io")
        registry.push(repository: "wordpress/openverse-api", tag: "abc123")
        let tag = await #expect(throws: RegistryError.self) { try await registry.digest(repository: "wordpress/openverse-api", tag: "rel-9") }
        #expect(tag?.message == "tag rel-9 not found in ghcr.io/wordpress/openverse-api")
        let repository = await #expect(throws: RegistryError.self) { try await registry.tags(repository: "wordpress/openverse-catalog") }
        #expect(repository?.code == .repositoryNotFound)
    }

    @Test func anInjectedOutageFailsEveryLookup() async throws {
        let registry = SimulatedRegistry(name: "ghcr.io")
        registry.push(repository: "wordpress/openverse-api", tag: "abc123")
        registry.failLookups(with: .serverError("wordpress/openverse-api", registry: "ghcr.io", status: 503))
        let error = await #expect(throws: RegistryError.self) { try await registry.digest(repository: "wordpress/openverse-api", tag: "abc123") }
        #expect(error?.code == .serverError)
        registry.failLookups(with: nil)
        #expect(try await registry.tagExists(repository: "wordpress/openverse-api", tag: "abc123"))
    }

    @Test func seedingPushesTheOpenverseImages() async throws {
        let registry = SimulatedRegistry(name: "ghcr.io")
        registry.seedOpenverse(tags: ["rel-1", "abc123"])
        let reference = try ImageReference("ghcr.io/wordpress/openverse-api_nginx:abc123")
        #expect(try await registry.tagExists(repository: reference.repository, tag: "abc123"))
        #expect(try await registry.tags(repository: "wordpress/openverse-frontend") == ["rel-1", "abc123"])
    }
}
