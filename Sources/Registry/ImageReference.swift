/// An image reference such as `ghcr.io/wordpress/openverse-api:rel-2024.01.01.00.00.00`, split into parts.
///
/// Parsed as Docker parses it: the first component is a registry host when it contains a `.`
/// or a `:`, or is `localhost`; otherwise the registry is Docker Hub, whose API lives at
/// `registry-1.docker.io` and whose one-component names live under `library/`.
///
/// ```swift
/// let reference = try ImageReference("nginx")
/// // reference.registry == "docker.io", reference.repository == "library/nginx", reference.tag == nil
/// ```
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    public static let dockerHub = "docker.io"

    /// The registry host as written (`ghcr.io`, `localhost:5000`, `docker.io`).
    public var registry: String
    /// The repository name within the registry (`wordpress/openverse-api`, `library/nginx`).
    public var repository: String
    public var tag: String?
    /// `sha256:...` when the reference pins a digest.
    public var digest: String?

    public init(registry: String, repository: String, tag: String? = nil, digest: String? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses a reference.
    /// - Throws: ``RegistryError/invalidReference(_:reason:)`` when it is not a valid reference.
    public init(_ text: String) throws {
        var remainder = Substring(text)
        var digest: String?
        if let at = remainder.firstIndex(of: "@") {
            digest = String(remainder[remainder.index(after: at)...])
            remainder = remainder[..<at]
        }
        var components = remainder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !components.isEmpty, !components.contains(where: \.isEmpty) else {
            throw RegistryError.invalidReference(text, reason: "empty path component")
        }
        var tag: String?
        if let colon = components[components.count - 1].lastIndex(of: ":") {
            let last = components[components.count - 1]
            tag = String(last[last.index(after: colon)...])
            components[components.count - 1] = String(last[..<colon])
            guard let tag, !tag.isEmpty, tag.count <= 128 else {
                throw RegistryError.invalidReference(text, reason: "empty or too long tag")
            }
        }
        var registry = Self.dockerHub
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            registry = first
            components.removeFirst()
        }
        if registry == Self.dockerHub || registry == "index.docker.io" || registry == "registry-1.docker.io" {
            registry = Self.dockerHub
            if components.count == 1 { components.insert("library", at: 0) }
        }
        let repository = components.joined(separator: "/")
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-/")
        guard !repository.isEmpty, repository.allSatisfy(allowed.contains) else {
            throw RegistryError.invalidReference(text, reason: "repository names are lower-case letters, digits and . _ - /")
        }
        if let digest, !digest.contains(":") {
            throw RegistryError.invalidReference(text, reason: "digest must be algorithm:hex")
        }
        self.init(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    /// The base URL of the registry's HTTP API (`https://registry-1.docker.io` for Docker Hub).
    public var apiBaseURL: String {
        registry == Self.dockerHub ? "https://registry-1.docker.io" : "https://\(registry)"
    }

    /// The account and region of an ECR registry (`123456789012.dkr.ecr.us-east-1.amazonaws.com`),
    /// so a caller can look the image up with ``ECRRegistryClient`` instead of the OCI API; nil elsewhere.
    public var ecrLocation: (registryID: String, region: String)? {
        let labels = registry.split(separator: ".").map(String.init)
        guard labels.count >= 6, labels[1] == "dkr", labels[2].hasPrefix("ecr"), labels[4] == "amazonaws",
            labels[0].count == 12, labels[0].allSatisfy(\.isNumber)
        else { return nil }
        return (labels[0], labels[3])
    }

    public var description: String {
        var text = "\(registry)/\(repository)"
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }
}
