import Clocks
import Foundation

/// Where and how to call AWS: region, endpoint override, credentials, retries, timeout, clock.
///
/// ```swift
/// // LocalStack or moto:
/// let config = AWSClientConfiguration(region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:5000"))
/// // From the environment (AWS_REGION, AWS_ENDPOINT_URL, the standard credential chain):
/// let config = try AWSClientConfiguration.fromEnvironment(service: .ecs)
/// ```
public struct AWSClientConfiguration: Sendable {
    public var region: String
    /// Replaces `https://<prefix>.<region>.amazonaws.com` (LocalStack, moto, VPC endpoints).
    public var endpoint: URL?
    public var credentials: any AWSCredentialProvider
    public var retry: RetryPolicy
    /// The limit on one HTTP attempt, response body included.
    public var timeout: Duration
    public var clock: any ShiplogClock

    public init(
        region: String,
        endpoint: URL? = nil,
        credentials: any AWSCredentialProvider = CredentialProviderChain.standard(),
        retry: RetryPolicy = RetryPolicy(),
        timeout: Duration = .seconds(30),
        clock: any ShiplogClock = SystemClock()
    ) {
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.retry = retry
        self.timeout = timeout
        self.clock = clock
    }

    /// Reads the region from `AWS_REGION` or `AWS_DEFAULT_REGION`, and the endpoint from
    /// `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL` (the names the AWS SDKs use).
    public static func fromEnvironment(
        service: AWSService,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AWSClientConfiguration {
        guard let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"], !region.isEmpty else {
            throw AWSError(kind: .credentials, message: "no region: set AWS_REGION", operation: "configuration")
        }
        return AWSClientConfiguration(
            region: region,
            endpoint: try endpoint(for: service, environment: environment),
            credentials: CredentialProviderChain.standard(environment: environment)
        )
    }

    /// The endpoint the AWS SDKs would use for `service`: `AWS_ENDPOINT_URL_<SERVICE>`, else
    /// `AWS_ENDPOINT_URL`; nil for AWS's own.
    ///
    /// - Throws: ``AWSError`` when the variable is set to something other than an endpoint URL.
    public static func endpoint(for service: AWSService, environment: [String: String]) throws -> URL? {
        for variable in ["AWS_ENDPOINT_URL_\(service.environmentID)", "AWS_ENDPOINT_URL"] {
            guard let text = environment[variable], !text.isEmpty else { continue }
            guard let url = endpointURL(text) else {
                throw AWSError(kind: .credentials, message: "\(variable) must be an http or https URL, not '\(text)'", operation: "configuration")
            }
            return url
        }
        return nil
    }

    /// `text` as an endpoint: an http or https URL with a host; nil for anything else.
    public static func endpointURL(_ text: String) -> URL? {
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else { return nil }
        return url
    }

    /// The endpoint of `service` in this configuration.
    public func endpoint(for service: AWSService) -> URL {
        endpoint ?? URL(string: "https://\(service.endpointPrefix).\(region).amazonaws.com")!
    }
}
