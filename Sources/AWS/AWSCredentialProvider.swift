/// Somewhere credentials come from.
///
/// A provider returns nil when its source is not configured (no variables, no file, no
/// profile), so a chain can move on; it throws when the source is configured but broken.
public protocol AWSCredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials?
    /// Forgets any credentials kept, so the next call reads them again (AWS said they expired).
    func invalidate() async
}

extension AWSCredentialProvider {
    /// Providers that keep nothing read their source on every call.
    public func invalidate() async {}
}

/// Credentials given in code (tests, or a caller that already has them).
public struct StaticCredentialProvider: AWSCredentialProvider {
    public let value: AWSCredentials

    public init(_ value: AWSCredentials) {
        self.value = value
    }

    public func credentials() async throws -> AWSCredentials? { value }
}
