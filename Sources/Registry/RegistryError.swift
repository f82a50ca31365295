/// A failed registry look-up; the message names the repository, the tag and what happened.
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to switch on.
    public enum Code: String, Sendable, Hashable {
        case invalidReference, repositoryNotFound, tagNotFound, unauthorized, serverError, malformedResponse, transport, timeout
    }

    public let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func invalidReference(_ reference: String, reason: String) -> RegistryError {
        RegistryError(.invalidReference, "invalid image reference \(reference): \(reason)")
    }

    public static func repositoryNotFound(_ repository: String, registry: String) -> RegistryError {
        RegistryError(.repositoryNotFound, "repository \(repository) not found in \(registry)")
    }

    public static func tagNotFound(_ tag: String, repository: String, registry: String) -> RegistryError {
        RegistryError(.tagNotFound, "tag \(tag) not found in \(registry)/\(repository)")
    }

    public static func unauthorized(_ repository: String, registry: String, detail: String) -> RegistryError {
        RegistryError(.unauthorized, "not authorized to read \(registry)/\(repository): \(detail)")
    }

    public static func serverError(_ repository: String, registry: String, status: Int) -> RegistryError {
        RegistryError(.serverError, "\(registry) failed with HTTP \(status) for \(repository)")
    }

    public static func malformedResponse(_ repository: String, registry: String, detail: String) -> RegistryError {
        RegistryError(.malformedResponse, "unreadable answer from \(registry) for \(repository): \(detail)")
    }

    public static func transport(_ repository: String, registry: String, detail: String) -> RegistryError {
        RegistryError(.transport, "cannot reach \(registry) for \(repository): \(detail)")
    }

    public static func timeout(_ repository: String, registry: String) -> RegistryError {
        RegistryError(.timeout, "\(registry) did not answer in time for \(repository)")
    }

    public var description: String { message }
}
