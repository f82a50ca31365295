import Foundation

/// Asks an environment's version endpoint which release it serves.
///
/// Behind a protocol so tests can answer from a real loopback server or from a simulated
/// endpoint that follows what the simulated ECS runs.
public protocol VersionFetcher: Sendable {
    /// The body the endpoint answers with (`/version.json` JSON, or plain text).
    /// - Throws: when the endpoint cannot be reached or answers with an error status.
    func fetch(_ url: String) async throws -> String
}
