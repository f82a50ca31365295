/// An image registry: which tags a repository has, and what a tag points to.
///
/// Implemented by ``OCIRegistryClient`` (GHCR, Docker Hub, any OCI distribution registry),
/// ``ECRRegistryClient`` (ECR's API) and `SimulatedRegistry` in Simulation. Repositories are names within
/// the registry (`wordpress/openverse-api`), as ``ImageReference/repository`` gives them.
public protocol ImageRegistry: Sendable {
    /// The digest (`sha256:...`) of the manifest `tag` points to.
    /// - Throws: ``RegistryError`` — `tagNotFound` or `repositoryNotFound` when absent.
    func digest(repository: String, tag: String) async throws -> String

    /// Every tag of the repository, in the registry's order (for "did you mean" messages).
    /// - Throws: ``RegistryError`` — `repositoryNotFound` when the repository does not exist.
    func tags(repository: String) async throws -> [String]
}

extension ImageRegistry {
    /// Whether `tag` exists in `repository`; a missing repository is an error, not `false`.
    public func tagExists(repository: String, tag: String) async throws -> Bool {
        do {
            _ = try await digest(repository: repository, tag: tag)
            return true
        } catch let error as RegistryError where error.code == .tagNotFound {
            return false
        }
    }
}
