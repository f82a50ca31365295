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
        let endpointText = environment["AWS_ENDPOINT_URL_\(service.environmentID)"] ?? environment["AWS_ENDPOINT_URL"]
        var endpoint: URL?
        if let endpointText, !endpointText.isEmpty {
            guard let url = URL(string: endpointText), url.host != nil else {
                throw AWSError(kind: .credentials, message: "endpoint is not a URL: \(endpointText)", operation: "configuration")
            }
            endpoint = url
        }
        return AWSClientConfiguration(
            region: region,
            endpoint: endpoint,
            credentials: CredentialProviderChain.standard(environment: environment)
        )
    }

    /// The endpoint of `service` in this configuration.
    public func endpoint(for service: AWSService) -> URL {
        endpoint ?? URL(string: "https://\(service.endpointPrefix).\(region).amazonaws.com")!
    }
}
