import AWS
import Foundation
import Replication
import TestSupport
import Testing

/// The lease beside a replica, against moto's S3 (which honours `If-None-Match: *` and `If-Match`
/// on PutObject as S3 does).
@Suite(.enabled(if: TestServices.runMotoTests, Comment(rawValue: TestServices.motoMissing)))
struct ReplicaLeaseTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]

    func location(_ bucket: MotoBucket) throws -> ReplicaLocation {
        try ReplicaLocation(bucket.replica("ledger"), environment: Self.credentials)
    }

    func lease(_ location: ReplicaLocation, duration: Duration = .seconds(15)) -> ReplicaLease {
        ReplicaLease(location: location, s3: location.objectClient(environment: Self.credentials), duration: duration)
    }

    @Test func twoWritersRacingForOneReplicaExactlyOneTakesTheLease() async throws {
        let location = try location(try await MotoBucket(endpoint: try #require(TestServices.motoURL)))
        for _ in 0..<5 {
            let racers = (0..<4).map { _ in lease(location) }
            let won = await withTaskGroup(of: Bool.self) { group in
                for racer in racers { group.addTask { (try? await racer.acquire()) != nil } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(won == 1, "exactly one of four racing writers holds the lease")
            for racer in racers where racer.isHeld { await racer.release() }
        }
    }

    @Test func aHeldLeaseIsRefusedNamingItsHolderAndAReleasedOneIsFreeAtOnce() async throws {
        let location = try location(try await MotoBucket(endpoint: try #require(TestServices.motoURL)))
        // A minute: long enough not to expire between the two takes on a loaded machine.
        let first = lease(location, duration: .seconds(60)), second = lease(location, duration: .seconds(60))
        try await first.acquire()
        let refused = await #expect(throws: ReplicationError.self) { try await second.acquire() }
        #expect(refused?.code == .leaseHeld)
        #expect(refused?.description.contains(first.holder) == true, "\(String(describing: refused))")
        await first.release()
        try await second.acquire()
        #expect(second.isHeld)
    }

    @Test func anExpiredLeaseIsTakenOverAndItsFormerHolderFindsOutAtItsNextRenewal() async throws {
        let location = try location(try await MotoBucket(endpoint: try #require(TestServices.motoURL)))
        let paused = lease(location, duration: .seconds(1))
        try await paused.acquire()
        try await Task.sleep(for: .milliseconds(2100))
        let next = lease(location)
        try await next.acquire()
        let lost = await #expect(throws: ReplicationError.self) { try await paused.renew() }
        #expect(lost?.code == .leaseHeld)
        #expect(!paused.isHeld)
        try await next.renew()
        #expect(next.isHeld)
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
