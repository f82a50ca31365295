import AWS
import Clocks
import Foundation
import Synchronization

/// The right to write a replica, held by one writer at a time: taken on start, renewed while
/// serving, given up on a clean stop. A writer paused past its expiry, whose lease another
/// took meanwhile, finds out at its next renewal rather than forking the log.
public protocol WriterLease: Sendable {
    /// This writer's name in the lease: host, process and a random part.
    var holder: String { get }
    /// How long the lease lasts without renewal.
    var duration: Duration { get }
    /// Whether this writer holds the lease now, by its own clock.
    var isHeld: Bool { get }
    /// Takes the lease: when nobody holds it, or when its holder let it expire.
    /// - Throws: ``ReplicationError`` `.leaseHeld` naming the holder when another writer holds it.
    func acquire() async throws
    /// Extends the lease by ``duration``.
    /// - Throws: ``ReplicationError`` `.leaseHeld` when another writer took it meanwhile.
    func renew() async throws
    /// Gives the lease up, so the next writer need not wait for it to expire.
    func release() async
}

extension WriterLease {
    /// A new writer's name: host, process and a random part.
    static func newHolder() -> String {
        "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// The lease as one object beside the replica (`lease`), taken and renewed with S3 conditional
/// writes, so two writers racing for it cannot both win.
public final class ReplicaLease: WriterLease {
    /// What the lease object holds.
    struct Record: Codable {
        var holder: String
        var expiresAt: Date

        enum CodingKeys: String, CodingKey {
            case holder
            case expiresAt = "expires_at"
        }
    }

    public let location: ReplicaLocation
    public let holder: String
    public let duration: Duration
    private let s3: S3ObjectClient
    private let etag = Mutex<String?>(nil)
    private let expiry = Mutex<Date?>(nil)

    /// How long after taking the lease it is read back (see `confirm()`).
    private let confirmationDelay: Duration

    public init(location: ReplicaLocation, s3: S3ObjectClient, duration: Duration = .seconds(15), confirmationDelay: Duration = .seconds(1)) {
        self.confirmationDelay = confirmationDelay
        self.location = location
        self.s3 = s3
        self.duration = duration
        holder = Self.newHolder()
    }

    public var isHeld: Bool {
        guard etag.withLock({ $0 }) != nil, let expiry = expiry.withLock({ $0 }) else { return false }
        return expiry > Date()
    }

    public func acquire() async throws {
        let key = location.key("lease")
        let current: S3ObjectClient.Object?
        do {
            current = try await s3.get(key)
        } catch {
            throw location.explain(error)
        }
        let condition: S3ObjectClient.Condition
        if let current, let tag = current.etag {
            if let record = try? JSONDecoder.lease.decode(Record.self, from: Data(current.body)), record.expiresAt > Date(), record.holder != holder {
                throw ReplicationError(.leaseHeld, "another writer (\(record.holder)) holds the lease on \(location) until \(ISO8601DateFormatter().string(from: record.expiresAt)); this one will not write")
            }
            condition = .matches(tag)
        } else {
            condition = .absent
        }
        try await write(condition)
        try await confirm()
    }

    /// Reads the lease back a moment after taking it: a store that checks write conditions
    /// without atomicity (moto does; some S3-compatible stores ignore them) can let two racing
    /// writers both succeed, and then the later write is the one that stands.
    private func confirm() async throws {
        try await Task.sleep(for: confirmationDelay)
        let current: S3ObjectClient.Object?
        do {
            current = try await s3.get(location.key("lease"))
        } catch {
            throw location.explain(error)
        }
        guard let current, let ours = etag.withLock({ $0 }), current.etag == ours else {
            etag.withLock { $0 = nil }
            let holder = current.flatMap { try? JSONDecoder.lease.decode(Record.self, from: Data($0.body)) }?.holder ?? "unknown"
            throw ReplicationError(.leaseHeld, "another writer (\(holder)) took the lease on \(location) at the same time; this one will not write")
        }
    }

    public func renew() async throws {
        guard let tag = etag.withLock({ $0 }) else { throw ReplicationError(.leaseHeld, "the lease on \(location) is not held") }
        try await write(.matches(tag))
    }

    public func release() async {
        guard let tag = etag.withLock({ $0 }) else { return }
        etag.withLock { $0 = nil }
        try? await s3.delete(location.key("lease"), ifMatch: tag)
    }

    private func write(_ condition: S3ObjectClient.Condition) async throws {
        let expires = Date().addingTimeInterval(duration.timeInterval)
        let body = try JSONEncoder.lease.encode(Record(holder: holder, expiresAt: expires))
        do {
            let tag = try await s3.put(location.key("lease"), Array(body), condition: condition)
            etag.withLock { $0 = tag }
            expiry.withLock { $0 = expires }
        } catch let error as AWSError where error.statusCode == 412 || error.code == "PreconditionFailed" || error.statusCode == 409 {
            etag.withLock { $0 = nil }
            throw ReplicationError(.leaseHeld, "another writer took the lease on \(location); this one will not write")
        } catch {
            throw location.explain(error)
        }
    }
}

extension JSONEncoder {
    static var lease: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

extension JSONDecoder {
    static var lease: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
