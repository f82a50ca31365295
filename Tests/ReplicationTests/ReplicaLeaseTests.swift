import AWS
import Foundation
import Replication
import TestSupport
import Testing

/// The writer's lease, against moto: as an object beside the replica in moto's S3 (which honours
/// `If-None-Match: *` and `If-Match` on PutObject as S3 does), and as an item of a DynamoDB table
/// in moto's DynamoDB (conditional PutItem and DeleteItem).
@Suite(.enabled(if: TestServices.runMotoTests, Comment(rawValue: TestServices.motoMissing)))
struct ReplicaLeaseTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]

    /// Where the lease is kept.
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case object, dynamoDB
        var testDescription: String { rawValue }
    }

    /// The leases of one replica (a fresh bucket; for DynamoDB, a fresh table too).
    struct Replica {
        let location: ReplicaLocation
        let table: DynamoDBLease.Table?

        init(_ kind: Kind) async throws {
            let moto = try #require(TestServices.motoURL)
            location = try ReplicaLocation(try await MotoBucket(endpoint: moto).replica("ledger"), environment: ReplicaLeaseTests.credentials)
            table = kind == .dynamoDB ? try DynamoDBLease.Table(name: try await MotoTable(endpoint: moto).name, endpoint: moto, region: "us-east-1") : nil
        }

        func lease(duration: Duration = .seconds(15)) -> any WriterLease {
            if let table {
                return DynamoDBLease(table: table, location: location, environment: ReplicaLeaseTests.credentials, duration: duration)
            }
            return ReplicaLease(location: location, s3: location.objectClient(environment: ReplicaLeaseTests.credentials), duration: duration)
        }
    }

    @Test(arguments: Kind.allCases)
    func twoWritersRacingForOneReplicaExactlyOneTakesTheLease(_ kind: Kind) async throws {
        let replica = try await Replica(kind)
        for _ in 0..<5 {
            let racers = (0..<4).map { _ in replica.lease() }
            let won = await withTaskGroup(of: Bool.self) { group in
                for racer in racers { group.addTask { (try? await racer.acquire()) != nil } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(won == 1, "exactly one of four racing writers holds the lease")
            for racer in racers where racer.isHeld { await racer.release() }
        }
    }

    @Test(arguments: Kind.allCases)
    func aHeldLeaseIsRefusedNamingItsHolderAndAReleasedOneIsFreeAtOnce(_ kind: Kind) async throws {
        let replica = try await Replica(kind)
        // A minute: long enough not to expire between the two takes on a loaded machine.
        let first = replica.lease(duration: .seconds(60)), second = replica.lease(duration: .seconds(60))
        try await first.acquire()
        let refused = await #expect(throws: ReplicationError.self) { try await second.acquire() }
        #expect(refused?.code == .leaseHeld)
        #expect(refused?.description.contains(first.holder) == true, "\(String(describing: refused))")
        #expect(!second.isHeld)
        await first.release()
        try await second.acquire()
        #expect(second.isHeld)
    }

    @Test(arguments: Kind.allCases)
    func anExpiredLeaseIsTakenOverAndItsFormerHolderFindsOutAtItsNextRenewal(_ kind: Kind) async throws {
        let replica = try await Replica(kind)
        let paused = replica.lease(duration: .seconds(1))
        try await paused.acquire()
        try await Task.sleep(for: .milliseconds(2100))
        let next = replica.lease()
        try await next.acquire()
        let lost = await #expect(throws: ReplicationError.self) { try await paused.renew() }
        #expect(lost?.code == .leaseHeld)
        #expect(!paused.isHeld)
        await paused.release()
        try await next.renew()
        #expect(next.isHeld, "the former holder's release leaves its successor's lease alone")
        let third = replica.lease()
        await #expect(throws: ReplicationError.self, "still held by the successor") { try await third.acquire() }
    }

    @Test func aMissingTableAndATableOfAnotherShapeAreOneLineEach() async throws {
        let moto = try #require(TestServices.motoURL)
        let location = try ReplicaLocation(try await MotoBucket(endpoint: moto).replica("ledger"), environment: Self.credentials)
        let missing = try DynamoDBLease.Table(name: "no-such-table", endpoint: moto, region: "us-east-1")
        let noTable = await #expect(throws: ReplicationError.self) {
            try await DynamoDBLease(table: missing, location: location, environment: Self.credentials).acquire()
        }
        #expect(noTable?.code == .leaseTable)
        #expect(noTable?.description == "the DynamoDB table no-such-table does not exist at \(moto.absoluteString) (its partition key must be the string 'replica')")

        // A table keyed otherwise.
        let name = try await MotoTable(endpoint: moto, key: "id").name
        let otherShape = await #expect(throws: ReplicationError.self) {
            try await DynamoDBLease(table: try DynamoDBLease.Table(name: name, endpoint: moto, region: "us-east-1"), location: location, environment: Self.credentials).acquire()
        }
        #expect(otherShape?.code == .leaseTable)
        #expect(otherShape?.description.contains("its partition key must be the string 'replica'") == true, "\(String(describing: otherShape))")
        #expect(otherShape?.description.contains("\n") == false)
        #expect(throws: ReplicationError.self) { try DynamoDBLease.Table(name: "a", region: "us-east-1") }
    }

    func lease(_ location: ReplicaLocation) -> ReplicaLease {
        ReplicaLease(location: location, s3: location.objectClient(environment: Self.credentials))
    }

    @Test func aMissingBucketAnUnreachableEndpointAndMissingCredentialsAreOneLineEach() async throws {
        let moto = try #require(TestServices.motoURL)
        let missing = try ReplicaLocation("s3://no-such-bucket-here/ledger?endpoint=\(moto.absoluteString)", environment: Self.credentials)
        let noBucket = await #expect(throws: ReplicationError.self) { try await lease(missing).acquire() }
        #expect(noBucket?.description == "the bucket no-such-bucket-here does not exist at \(moto.absoluteString)")

        let closed = try ReplicaLocation("s3://some-bucket/ledger?endpoint=http://127.0.0.1:9", environment: Self.credentials)
        let unreachable = await #expect(throws: ReplicationError.self) { try await lease(closed).acquire() }
        #expect(unreachable?.description.hasPrefix("cannot reach the bucket some-bucket: ") == true, "\(String(describing: unreachable))")
        #expect(unreachable?.description.contains("\n") == false)

        let bucket = try await MotoBucket(endpoint: moto)
        let anonymous = try ReplicaLocation(bucket.replica("ledger"), environment: ["HOME": "/nonexistent", "AWS_CONTAINER_CREDENTIALS_FULL_URI": ""])
        let noCredentials = await #expect(throws: ReplicationError.self) {
            try await ReplicaLease(location: anonymous, s3: anonymous.objectClient(environment: ["HOME": "/nonexistent"])).acquire()
        }
        #expect(noCredentials?.description.contains("no credentials") == true, "\(String(describing: noCredentials))")
    }

    @Test func replicaURLsThatAreNoneAreRefusedOnOneLine() {
        for (text, message) in [
            ("https://bucket/path", "the replica must be an S3 URL such as s3://BUCKET/PATH, not 'https://bucket/path'"),
            ("s3://bucket", "the replica URL s3://bucket names no path inside the bucket: give s3://bucket/PATH"),
            ("s3://ab/path", "'ab' is not an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens)"),
            ("s3://bucket/path?color=red", "unknown parameter 'color' in the replica URL (known: endpoint, region, force-path-style)"),
        ] {
            #expect(throws: ReplicationError.self) { try ReplicaLocation(text) }
            do { _ = try ReplicaLocation(text) } catch { #expect("\(error)" == message, "\(text)") }
        }
    }
}
