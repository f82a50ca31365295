import AWS
import Clocks
import Foundation
import Synchronization

/// The lease as an item of a DynamoDB table, for teams that keep their locks there: taken,
/// renewed and given up with conditional writes, which DynamoDB applies atomically, so of two
/// writers racing for it exactly one wins. As for the object lease, the item is read back a
/// moment after it is taken: emulators (moto) check conditions without that atomicity.
///
/// The table's partition key is `replica` (a string); the item of a replica holds the replica's
/// URL, `holder` and `expires_at` (seconds since 1970). One table can hold the leases of many
/// replicas.
public final class DynamoDBLease: WriterLease {
    /// Where the lease is kept: a table, and the endpoint and region to reach it at.
    public struct Table: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        /// A DynamoDB-compatible endpoint (moto, DynamoDB Local); nil for AWS.
        public var endpoint: URL?
        public var region: String

        /// - Throws: ``ReplicationError`` `.invalidSettings` for a name DynamoDB would refuse.
        public init(name: String, endpoint: URL? = nil, region: String) throws {
            try Self.check(name: name)
            self.name = name
            self.endpoint = endpoint
            self.region = region
        }

        public var description: String { "the DynamoDB table \(name)" }

        /// - Throws: ``ReplicationError`` `.invalidSettings` for a name DynamoDB would refuse.
        public static func check(name: String) throws {
            guard name.range(of: "^[A-Za-z0-9_.-]{3,255}$", options: .regularExpression) != nil else {
                throw ReplicationError(.invalidSettings, "'\(name)' is not a DynamoDB table name (3 to 255 letters, digits, '_', '-' and '.')")
            }
        }
    }

    public let table: Table
    public let location: ReplicaLocation
    public let holder: String
    public let duration: Duration
    private let dynamoDB: AWSJSONClient
    private let expiry = Mutex<Date?>(nil)
    private let confirmationDelay: Duration

    public init(
        table: Table, location: ReplicaLocation, environment: [String: String], duration: Duration = .seconds(15),
        confirmationDelay: Duration = .seconds(1)
    ) {
        self.confirmationDelay = confirmationDelay
        self.table = table
        self.location = location
        self.duration = duration
        holder = Self.newHolder()
        dynamoDB = AWSJSONClient(
            service: .dynamoDB,
            configuration: AWSClientConfiguration(
                region: table.region, endpoint: table.endpoint, credentials: CredentialProviderChain.standard(environment: environment),
                retry: RetryPolicy(maxAttempts: 3), timeout: .seconds(10)))
    }

    public var isHeld: Bool {
        guard let expiry = expiry.withLock({ $0 }) else { return false }
        return expiry > Date()
    }

    public func acquire() async throws {
        if let current = try await currentItem(), current.holder != holder, current.expiresAt > Date() {
            throw ReplicationError(.leaseHeld, "another writer (\(current.holder)) holds the lease on \(location) in \(table) until \(ISO8601DateFormatter().string(from: current.expiresAt)); this one will not write")
        }
        do {
            try await write(condition: "attribute_not_exists(#replica) OR #expires_at < :now OR #holder = :holder")
        } catch let error as ReplicationError where error.code == .leaseHeld {
            let holder = (try? await currentItem())??.holder ?? "unknown"
            throw ReplicationError(.leaseHeld, "another writer (\(holder)) took the lease on \(location) in \(table) at the same time; this one will not write")
        }
        try await Task.sleep(for: confirmationDelay)
        let current = try await currentItem()
        guard let current, current.holder == holder else {
            expiry.withLock { $0 = nil }
            throw ReplicationError(.leaseHeld, "another writer (\(current?.holder ?? "unknown")) took the lease on \(location) in \(table) at the same time; this one will not write")
        }
    }

    public func renew() async throws {
        guard expiry.withLock({ $0 }) != nil else { throw ReplicationError(.leaseHeld, "the lease on \(location) is not held") }
        try await write(condition: "#holder = :holder")
    }

    public func release() async {
        guard expiry.withLock({ $0 }) != nil else { return }
        expiry.withLock { $0 = nil }
        _ = try? await dynamoDB.call("DeleteItem", [
            "TableName": .string(table.name),
            "Key": key,
            "ConditionExpression": "#holder = :holder",
            "ExpressionAttributeNames": ["#holder": "holder"],
            "ExpressionAttributeValues": [":holder": ["S": .string(holder)]],
        ])
    }

    private var key: JSONValue { ["replica": ["S": .string(location.description)]] }

    /// Puts this writer's item if `condition` holds; records the new expiry.
    private func write(condition: String) async throws {
        let now = Date()
        let expires = now.addingTimeInterval(duration.timeInterval)
        do {
            _ = try await dynamoDB.call("PutItem", [
                "TableName": .string(table.name),
                "Item": [
                    "replica": ["S": .string(location.description)],
                    "holder": ["S": .string(holder)],
                    "expires_at": ["N": .string(Self.seconds(expires))],
                ],
                "ConditionExpression": .string(condition),
                "ExpressionAttributeNames": Self.names(in: condition),
                "ExpressionAttributeValues": condition.contains(":now")
                    ? [":holder": ["S": .string(holder)], ":now": ["N": .string(Self.seconds(now))]]
                    : [":holder": ["S": .string(holder)]],
            ])
            expiry.withLock { $0 = expires }
        } catch let error as AWSError where error.code == "ConditionalCheckFailedException" {
            expiry.withLock { $0 = nil }
            throw ReplicationError(.leaseHeld, "another writer took the lease on \(location) in \(table); this one will not write")
        } catch {
            throw explain(error)
        }
    }

    /// The item as it stands (a strongly consistent read), or nil when there is none.
    private func currentItem() async throws -> (holder: String, expiresAt: Date)? {
        let output: JSONValue
        do {
            output = try await dynamoDB.call("GetItem", ["TableName": .string(table.name), "Key": key, "ConsistentRead": true])
        } catch {
            throw explain(error)
        }
        guard let item = output["Item"] else { return nil }
        guard let holder = item["holder"]?["S"]?.stringValue, let seconds = item["expires_at"]?["N"]?.stringValue.flatMap(Double.init) else {
            throw ReplicationError(.leaseHeld, "the lease item of \(location) in \(table) is not one shiplog wrote; this one will not write")
        }
        return (holder, Date(timeIntervalSince1970: seconds))
    }

    private static func names(in condition: String) -> JSONValue {
        var names: [String: JSONValue] = [:]
        for name in ["replica", "holder", "expires_at"] where condition.contains("#\(name)") { names["#\(name)"] = .string(name) }
        return .object(names)
    }

    private static func seconds(_ date: Date) -> String {
        String(format: "%.3f", date.timeIntervalSince1970)
    }

    /// One line for a failed call on the table.
    private func explain(_ error: any Error) -> ReplicationError {
        guard let error = error as? AWSError else { return ReplicationError(.leaseTable, "\(table): \(error)") }
        switch (error.kind, error.code) {
        case (_, "ResourceNotFoundException"?):
            return ReplicationError(.leaseTable, "\(table) does not exist\(table.endpoint.map { " at \($0.absoluteString)" } ?? " in \(table.region)") (its partition key must be the string 'replica')")
        case (_, "ValidationException"?):
            return ReplicationError(.leaseTable, "\(table) does not take the lease's item (its partition key must be the string 'replica'): \(error.message)")
        case (.credentials, _):
            return ReplicationError(.leaseTable, "cannot reach \(table): \(error.message)")
        case (_, "AccessDeniedException"?), (_, "UnrecognizedClientException"?), (_, "InvalidSignatureException"?), (_, "ExpiredTokenException"?):
            return ReplicationError(.leaseTable, "\(table) refuses these credentials (\(error.code ?? "")): \(error.message)")
        case (.transport, _), (.timeout, _):
            return ReplicationError(.leaseTable, "cannot reach \(table): \(error.message)")
        default:
            return ReplicationError(.leaseTable, "\(table): \(error.operation) failed: \(error.code.map { "\($0): " } ?? "")\(error.message)")
        }
    }
}
