/// Why replication, a restore or the lease failed, in one line for an operator.
public struct ReplicationError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, to `switch` on.
    public enum Code: String, Sendable {
        /// The replica URL or a replication setting is malformed.
        case invalidSettings
        /// The Litestream binary is missing or failed.
        case litestream
        /// The bucket cannot be reached, does not exist, or refuses the credentials.
        case bucket
        /// Another writer holds the lease on the replica.
        case leaseHeld
        /// The DynamoDB table the lease is kept in cannot be reached, does not exist, or refuses the credentials.
        case leaseTable
        /// The replica holds another ledger, or one that does not verify.
        case foreignReplica
        /// Nothing to restore.
        case noReplica
        /// The restore came back shorter than a published checkpoint.
        case shortfall
        /// The restore would overwrite a file.
        case destinationExists
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
