import Foundation

/// A set of AWS credentials; temporary ones carry a session token and an expiry.
public struct AWSCredentials: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var expiration: Date?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }
}

/// Somewhere credentials come from.
///
/// A provider returns nil when its source is not configured (no variables, no file, no
/// profile), so a chain can move on; it throws when the source is configured but broken.
public protocol AWSCredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials?
}

/// Credentials given in code (tests, or a caller that already has them).
public struct StaticCredentialProvider: AWSCredentialProvider {
    public let value: AWSCredentials

    public init(_ value: AWSCredentials) {
        self.value = value
    }

    public func credentials() async throws -> AWSCredentials? { value }
}
