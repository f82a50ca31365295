import Foundation

/// The `replicate:` section of shiplog.yml: what `shiplog serve` replicates to when no
/// `--replicate` is given (flags win over it field by field).
///
/// ```yaml
/// replicate:
///   url: s3://my-shiplog-bucket/production
///   endpoint: http://127.0.0.1:9000   # S3-compatible stores only
///   region: eu-west-1
///   sync_interval: 1s
///   retention: 24h
///   lease_duration: 15s
///   lease_table: shiplog-leases              # keep the lease in DynamoDB instead
///   lease_endpoint: http://127.0.0.1:8000    # DynamoDB-compatible endpoints only
/// ```
public struct ReplicateSection: Sendable, Equatable {
    public var url: String
    public var endpoint: String?
    public var region: String?
    public var syncInterval: Duration?
    public var retention: Duration?
    public var leaseDuration: Duration?
    /// A DynamoDB table to keep the writer's lease in, rather than an object beside the replica.
    public var leaseTable: String?
    public var leaseEndpoint: URL?

    /// The replica URL with the endpoint and region as its query parameters, as `--replicate` takes it.
    public var replicaURL: String {
        var parameters: [String] = []
        if let endpoint { parameters.append("endpoint=\(endpoint)") }
        if let region { parameters.append("region=\(region)") }
        return parameters.isEmpty ? url : url + (url.contains("?") ? "&" : "?") + parameters.joined(separator: "&")
    }
}
