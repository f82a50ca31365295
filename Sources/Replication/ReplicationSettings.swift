import Foundation

/// How `shiplog serve --replicate` replicates: where to, how often, for how long, and the lease.
public struct ReplicationSettings: Sendable {
    public var location: ReplicaLocation
    /// How often Litestream ships the WAL: acknowledged appends reach S3 within about this long.
    public var syncInterval: Duration = .seconds(1)
    /// How long Litestream keeps what a point-in-time restore needs.
    public var retention: Duration = .seconds(24 * 3600)
    /// How long the lease lasts unrenewed (it is renewed every third of it).
    public var leaseDuration: Duration = .seconds(15)
    /// The DynamoDB table the lease is kept in; nil keeps it as an object beside the replica.
    public var leaseTable: DynamoDBLease.Table?
    /// The environment AWS credentials and Litestream's location are read from.
    public var environment: [String: String]

    public init(location: ReplicaLocation, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.location = location
        self.environment = environment
    }
}
