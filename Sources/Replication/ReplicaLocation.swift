import AWS
import Foundation

/// Where a ledger is replicated: `s3://BUCKET/PATH`, optionally with the query parameters
/// Litestream's replica URLs take for S3-compatible stores (`endpoint`, `region`,
/// `force-path-style`).
///
/// ```swift
/// let location = try ReplicaLocation("s3://shiplog-ledger/production?region=eu-west-1")
/// location.key("lease") // "production/lease"
/// ```
public struct ReplicaLocation: Sendable, Equatable, CustomStringConvertible {
    public let bucket: String
    /// The prefix of every object, without a trailing slash (Litestream's replica path).
    public let path: String
    /// An S3-compatible endpoint (moto, MinIO); nil for AWS.
    public var endpoint: URL?
    public var region: String

    /// Parses `text`; the region defaults to `AWS_REGION`, then `AWS_DEFAULT_REGION`, then us-east-1.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard text.hasPrefix("s3://"), let components = URLComponents(string: text), let bucket = components.host, !bucket.isEmpty else {
            throw ReplicationError(.invalidSettings, "the replica must be an S3 URL such as s3://BUCKET/PATH, not '\(text)'")
        }
        guard bucket.range(of: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", options: .regularExpression) != nil else {
            throw ReplicationError(.invalidSettings, "'\(bucket)' is not an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens)")
        }
        let path = components.path.split(separator: "/").joined(separator: "/")
        guard !path.isEmpty else {
            throw ReplicationError(.invalidSettings, "the replica URL \(text) names no path inside the bucket: give s3://\(bucket)/PATH")
        }
        self.bucket = bucket
        self.path = path
        self.region = environment["AWS_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["AWS_DEFAULT_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "endpoint":
                guard let value = item.value, let url = URL(string: value.contains("://") ? value : "http://\(value)"), url.host != nil else {
                    throw ReplicationError(.invalidSettings, "the replica's endpoint '\(item.value ?? "")' is not a URL")
                }
                endpoint = url
            case "region":
                guard let value = item.value, !value.isEmpty else { throw ReplicationError(.invalidSettings, "the replica's region is empty") }
                region = value
            case "force-path-style":
                break
            default:
                throw ReplicationError(.invalidSettings, "unknown parameter '\(item.name)' in the replica URL (known: endpoint, region, force-path-style)")
            }
        }
    }

    /// The key of the object `name` beside the replica.
    public func key(_ name: String) -> String { "\(path)/\(name)" }

    /// The URL without parameters, for messages.
    public var description: String { "s3://\(bucket)/\(path)" }

    /// A client for the control objects beside the replica, with the standard credential chain.
    public func objectClient(environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(10)) -> S3ObjectClient {
        let configuration = AWSClientConfiguration(
            region: region, endpoint: endpoint, credentials: CredentialProviderChain.standard(environment: environment),
            retry: RetryPolicy(maxAttempts: 3), timeout: timeout)
        return S3ObjectClient(bucket: bucket, configuration: configuration)
    }

    /// One line for `error`, a failed call on this bucket.
    func explain(_ error: any Error) -> ReplicationError {
        guard let error = error as? AWSError else { return ReplicationError(.bucket, "\(self): \(error)") }
        switch (error.kind, error.code) {
        case (_, "NoSuchBucket"?):
            return ReplicationError(.bucket, "the bucket \(bucket) does not exist\(endpoint.map { " at \($0.absoluteString)" } ?? " in \(region)")")
        case (.credentials, _):
            return ReplicationError(.bucket, "cannot reach \(self): \(error.message)")
        case (_, "AccessDenied"?), (_, "InvalidAccessKeyId"?), (_, "SignatureDoesNotMatch"?), (_, "ExpiredToken"?):
            return ReplicationError(.bucket, "\(self) refuses these credentials (\(error.code ?? "")): \(error.message)")
        case (.transport, _), (.timeout, _):
            return ReplicationError(.bucket, "cannot reach the bucket \(bucket): \(error.message)")
        default:
            return ReplicationError(.bucket, "\(self): \(error.operation) failed: \(error.code.map { "\($0): " } ?? "")\(error.message)")
        }
    }
}
