import Registry
import Synchronization

/// An in-memory registry: repositories with tags pointing at digests, and injectable failures.
///
/// ```swift
/// let registry = SimulatedRegistry(name: "ghcr.io")
/// registry.push(repository: "wordpress/openverse-api", tag: "rel-2024.01.01.00.00.00")
/// ```
public final class SimulatedRegistry: ImageRegistry {
    public let name: String
    private let state = Mutex(State())

    private struct State {
        /// Tags in push order, each with its digest.
        var repositories: [String: [(tag: String, digest: String)]] = [:]
        var unavailable: RegistryError?
        var pushes = 0
    }

    public init(name: String = "simulated") {
        self.name = name
    }

    /// Creates or moves `tag` in `repository`.
    /// - Parameter digest: the manifest digest; derived from the repository, tag and push count when nil.
    /// - Returns: the digest the tag now points to.
    @discardableResult
    public func push(repository: String, tag: String, digest: String? = nil) -> String {
        state.withLock { state in
            state.pushes += 1
            let digest = digest ?? Self.fakeDigest("\(repository):\(tag):\(state.pushes)")
            var tags = state.repositories[repository, default: []]
            tags.removeAll { $0.tag == tag }
            tags.append((tag, digest))
            state.repositories[repository] = tags
            return digest
        }
    }

    /// The image repositories of the Openverse services, as ``SimulatedECS/seedOpenverse(initialTag:)`` uses them.
    public static let openverseRepositories = [
        "wordpress/openverse-api",
        "wordpress/openverse-api_nginx",
        "wordpress/openverse-frontend",
        "wordpress/openverse-ingestion_server",
    ]

    /// Pushes each tag to every Openverse repository, so the demo's deploys find their images.
    public func seedOpenverse(tags: [String] = ["rel-2024.01.01.00.00.00"]) {
        for repository in Self.openverseRepositories {
            for tag in tags {
                push(repository: repository, tag: tag)
            }
        }
    }

    /// Makes every look-up fail with `error` until cleared with nil (a registry outage, a 401).
    public func failLookups(with error: RegistryError?) {
        state.withLock { $0.unavailable = error }
    }

    public func digest(repository: String, tag: String) async throws -> String {
        try state.withLock { state in
            if let error = state.unavailable { throw error }
            guard let tags = state.repositories[repository] else {
                throw RegistryError.repositoryNotFound(repository, registry: name)
            }
            guard let found = tags.first(where: { $0.tag == tag }) else {
                throw RegistryError.tagNotFound(tag, repository: repository, registry: name)
            }
            return found.digest
        }
    }

    public func tags(repository: String) async throws -> [String] {
        try state.withLock { state in
            if let error = state.unavailable { throw error }
            guard let tags = state.repositories[repository] else {
                throw RegistryError.repositoryNotFound(repository, registry: name)
            }
            return tags.map(\.tag)
        }
    }

    /// A well-formed, deterministic stand-in digest (not a hash of any content).
    private static func fakeDigest(_ seed: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        var hex = ""
        for round in 0..<4 {
            for byte in seed.utf8 {
                value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            value ^= UInt64(round)
            let part = String(value, radix: 16)
            hex += String(repeating: "0", count: 16 - part.count) + part
        }
        return "sha256:\(hex)"
    }
}
