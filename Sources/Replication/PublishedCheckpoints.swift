import AWS
import Foundation
import Ledger

/// The signed checkpoints published beside the replica, one object per tree size
/// (`checkpoints/<size>`), so that what the log promised survives the log: a restore that
/// comes back shorter than one of them is a loss that can be named.
public struct PublishedCheckpoints: Sendable {
    public let location: ReplicaLocation
    private let s3: S3ObjectClient

    public init(location: ReplicaLocation, s3: S3ObjectClient) {
        self.location = location
        self.s3 = s3
    }

    /// The sizes published, smallest first.
    /// - Throws: ``ReplicationError`` `.bucket` when the bucket cannot be read.
    public func sizes() async throws -> [UInt64] {
        let prefix = location.key("checkpoints/")
        do {
            return try await s3.list(prefix: prefix).compactMap { UInt64($0.key.dropFirst(prefix.count)) }.sorted()
        } catch {
            throw location.explain(error)
        }
    }

    /// The largest published checkpoint, parsed, with its signed note.
    public func latest() async throws -> (checkpoint: Checkpoint, note: String)? {
        guard let size = try await sizes().last else { return nil }
        return try await read(size)
    }

    /// The published checkpoint of `size`.
    public func read(_ size: UInt64) async throws -> (checkpoint: Checkpoint, note: String)? {
        let object: S3ObjectClient.Object?
        do {
            object = try await s3.get(location.key("checkpoints/\(size)"))
        } catch {
            throw location.explain(error)
        }
        guard let object else { return nil }
        let note = String(decoding: object.body, as: UTF8.self)
        guard let split = note.range(of: "\n\n"), let checkpoint = try? Checkpoint(body: String(note[..<split.lowerBound]) + "\n") else {
            throw ReplicationError(.foreignReplica, "\(location.key("checkpoints/\(size)")) is not a signed checkpoint")
        }
        return (checkpoint, note)
    }

    /// Publishes the newest checkpoint `store` holds when it is larger than `published`;
    /// returns the size now published.
    public func publishLatest(from store: EventStore, after published: UInt64?) async throws -> UInt64? {
        guard let note = try await store.reading({ try $0.latestCheckpoint() }),
              let split = note.range(of: "\n\n"), let checkpoint = try? Checkpoint(body: String(note[..<split.lowerBound]) + "\n")
        else { return published }
        guard checkpoint.size > published ?? 0 else { return published }
        do {
            try await s3.put(location.key("checkpoints/\(checkpoint.size)"), Array(note.utf8), condition: .absent)
        } catch let error as AWSError where error.statusCode == 412 {
            // Published before this process started: one size never has two roots.
        } catch {
            throw location.explain(error)
        }
        return checkpoint.size
    }

    /// Refuses a ledger that is not the one published here: a published checkpoint within its
    /// log whose root differs. Returns the largest published checkpoint beyond its head, if any
    /// (events acknowledged once and missing now).
    public func check(_ store: EventStore) async throws -> Checkpoint? {
        let sizes = try await sizes()
        let head = UInt64(try await store.reading { try $0.head()?.position ?? 0 })
        if let within = sizes.last(where: { $0 <= head && $0 > 0 }), let (published, _) = try await read(within) {
            let root = try await store.reading { try $0.treeHead(size: within).root }
            guard root == published.root else {
                throw ReplicationError(.foreignReplica, "\(location) holds another ledger: its checkpoint of size \(within) has a different root from this ledger's tree at that size")
            }
        }
        guard let beyond = sizes.last, beyond > head else { return nil }
        return try await read(beyond)?.checkpoint
    }
}

extension PublishedCheckpoints {
    /// When Litestream last wrote to the replica: its newest LTX file of level 0 (every sync) or
    /// 1 (their compaction, which outlives them), if any.
    func newestReplicaWrite() async throws -> Date? {
        do {
            var newest: Date?
            for level in ["0000/", "0001/"] {
                if let written = try await s3.list(prefix: location.key(level)).compactMap(\.lastModified).max() { newest = max(newest ?? written, written) }
            }
            return newest
        } catch {
            throw location.explain(error)
        }
    }
}
