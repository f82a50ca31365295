import Foundation
import Ledger

/// Brings a ledger back from its replica: Litestream restores it into a new file beside the
/// destination, the ledger is verified (hash chain, Merkle tree, every stored checkpoint) and
/// held to the checkpoints published beside the replica, and only then moved into place.
public struct ReplicaRestore: Sendable {
    public let location: ReplicaLocation
    public let litestream: Litestream
    public let environment: [String: String]

    public init(location: ReplicaLocation, litestream: Litestream, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.location = location
        self.litestream = litestream
        self.environment = environment
    }

    /// What came back.
    public struct Outcome: Sendable {
        /// The restored ledger's head position.
        public var head: Int64
        /// The stored checkpoints it was verified against.
        public var checkpoints: Int
        /// The largest checkpoint published beside the replica, beyond the restored head: the
        /// events from `head + 1` to its size were acknowledged once and are not in the replica.
        public var shortfall: Checkpoint?
    }

    /// Restores into `destination`, which must not exist; `time` picks a point in time.
    ///
    /// - Throws: ``ReplicationError``: the destination exists, the bucket cannot be read, there
    ///   is no replica, the restored ledger does not verify or is not the one published here. A
    ///   shortfall is not thrown: the caller says so (see ``Outcome/shortfall``).
    public func run(to destination: String, at time: Date? = nil) async throws -> Outcome {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: destination + suffix) {
            throw ReplicationError(.destinationExists, "\(destination + suffix) exists; a restore never overwrites a ledger (give --to a new file)")
        }
        let published = PublishedCheckpoints(location: location, s3: location.objectClient(environment: environment))
        _ = try await published.sizes()
        let directory = (destination as NSString).deletingLastPathComponent
        let scratch = (directory.isEmpty ? "." : directory) + "/.\((destination as NSString).lastPathComponent).restoring-\(UUID().uuidString.prefix(8))"
        defer {
            for suffix in ["", "-wal", "-shm", "-litestream"] { try? FileManager.default.removeItem(atPath: scratch + suffix) }
        }
        try await litestream.restore(from: location, to: scratch, at: time, environment: environment)
        let outcome: Outcome
        do {
            let store = try EventStore(path: scratch, access: .readOnly)
            defer { store.close() }
            let verification = try store.verify()
            if let failure = verification.failure {
                throw ReplicationError(.foreignReplica, "the ledger restored from \(location) does not verify\(failure.position.map { " at position \($0)" } ?? ""): \(failure.reason)")
            }
            let shortfall = try await published.check(store)
            outcome = Outcome(head: verification.count, checkpoints: verification.checkpoints, shortfall: time == nil ? shortfall : nil)
        } catch let error as LedgerError {
            throw ReplicationError(.foreignReplica, "what \(location) holds is not a shiplog ledger: \(error)")
        }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw ReplicationError(.destinationExists, "\(destination) appeared during the restore; it is left as it is")
        }
        try FileManager.default.moveItem(atPath: scratch, toPath: destination)
        return outcome
    }
}
