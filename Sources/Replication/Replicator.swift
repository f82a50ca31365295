import AWS
import Foundation
import Ledger
import Logging
import Synchronization

/// A ledger being replicated while it is served: Litestream shipping its WAL, the lease that
/// makes this the only writer, and the checkpoints published beside the replica.
///
/// ```swift
/// let replicator = try await Replicator.start(settings, databasePath: "shiplog.sqlite", logger: logger)
/// // serve; then, after the last commit:
/// await replicator.shutdown()
/// ```
public final class Replicator: Sendable {
    public let settings: ReplicationSettings
    public let lease: any WriterLease
    public let checkpoints: PublishedCheckpoints
    private let supervisor: LitestreamSupervisor
    private let litestream: Litestream
    private let databasePath: String
    private let configurationDirectory: String
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var leaseLost = false
        var publishedSize: UInt64?
        /// (when, head) samples of the ledger, for the lag.
        var heads: [(Date, Int64)] = []
        var lagSeconds: Double = 0
        var litestream: Task<Void, Never>?
    }

    /// What `/readyz` and `/metrics` show.
    public struct Status: Sendable {
        public var leaseHeld: Bool
        public var litestreamRunning: Bool
        public var litestreamRestarts: Int
        /// How long the oldest event not yet in the replica has waited, by the newest object
        /// Litestream wrote (S3 keeps whole seconds); 0 when the replica has everything.
        public var lagSeconds: Double
        public var ready: Bool { leaseHeld && litestreamRunning }
    }

    init(settings: ReplicationSettings, lease: any WriterLease, checkpoints: PublishedCheckpoints, supervisor: LitestreamSupervisor,
         litestream: Litestream, databasePath: String, configurationDirectory: String, logger: Logger) {
        self.litestream = litestream
        self.databasePath = databasePath
        self.settings = settings
        self.lease = lease
        self.checkpoints = checkpoints
        self.supervisor = supervisor
        self.configurationDirectory = configurationDirectory
        self.logger = logger
    }

    /// Prepares `databasePath` for serving from `settings.location`: takes the lease (or fails
    /// naming its holder), restores the replica first when there is no ledger on this disk yet,
    /// and refuses a ledger the replica's published checkpoints do not describe.
    public static func start(_ settings: ReplicationSettings, databasePath: String, logger: Logger) async throws -> Replicator {
        let litestream = try Litestream.locate(environment: settings.environment)
        let s3 = settings.location.objectClient(environment: settings.environment)
        let lease: any WriterLease = if let table = settings.leaseTable {
            DynamoDBLease(table: table, location: settings.location, environment: settings.environment, duration: settings.leaseDuration)
        } else {
            ReplicaLease(location: settings.location, s3: s3, duration: settings.leaseDuration)
        }
        try await lease.acquire()
        let checkpoints = PublishedCheckpoints(location: settings.location, s3: s3)
        do {
            if !FileManager.default.fileExists(atPath: databasePath) {
                let restore = ReplicaRestore(location: settings.location, litestream: litestream, environment: settings.environment)
                do {
                    let outcome = try await restore.run(to: databasePath)
                    if let missing = outcome.shortfall {
                        throw ReplicationError(.shortfall, "the replica in \(settings.location) ends at position \(outcome.head) but a checkpoint of size \(missing.size) was published: \(Int64(missing.size) - outcome.head) acknowledged events are lost; the restored ledger is kept in \(databasePath), and the service will not serve it until the checkpoints beyond position \(outcome.head) are moved out of \(settings.location.key("checkpoints/"))")
                    }
                    logger.notice("restored the ledger from its replica", metadata: ["replica": "\(settings.location)", "ledger.head": "\(outcome.head)"])
                } catch let error as ReplicationError where error.code == .noReplica {
                    logger.notice("no replica yet: starting a new ledger", metadata: ["replica": "\(settings.location)"])
                }
            } else {
                let store = try EventStore(path: databasePath, access: .readOnly)
                defer { store.close() }
                if let beyond = try await checkpoints.check(store) {
                    let head = try await store.reading { try $0.head()?.position ?? 0 }
                    throw ReplicationError(.foreignReplica, "\(settings.location) has a checkpoint of size \(beyond.size) but this ledger ends at position \(head): it is behind its replica (restore it with `shiplog restore`)")
                }
            }
        } catch {
            await lease.release()
            throw error
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shiplog-litestream-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configuration = "\(directory)/litestream.yml"
        let absolute = databasePath.hasPrefix("/") ? databasePath : FileManager.default.currentDirectoryPath + "/" + databasePath
        try Litestream.configuration(
            databasePath: absolute, location: settings.location, syncInterval: settings.syncInterval, retention: settings.retention,
            socket: "\(directory)/litestream.sock"
        ).write(toFile: configuration, atomically: true, encoding: .utf8)
        let supervisor = LitestreamSupervisor(
            litestream: litestream, configurationPath: configuration, databasePath: absolute, environment: settings.environment, logger: logger)
        return Replicator(
            settings: settings, lease: lease, checkpoints: checkpoints, supervisor: supervisor, litestream: litestream, databasePath: absolute,
            configurationDirectory: directory, logger: logger)
    }

    /// Whether this process may still append: it holds the lease.
    public var mayWrite: Bool { !state.withLock { $0.leaseLost } && lease.isHeld }

    /// Why nothing is written once ``mayWrite`` is false.
    public var lostLeaseMessage: String {
        "this service lost the lease on its replica \(settings.location) to another writer, so it no longer appends"
    }

    public var status: Status {
        let lag = state.withLock { $0.lagSeconds }
        return Status(leaseHeld: mayWrite, litestreamRunning: supervisor.isRunning, litestreamRestarts: supervisor.restarts, lagSeconds: lag)
    }

    /// Runs Litestream, renews the lease, publishes checkpoints and measures the lag until
    /// cancelled; Litestream runs on until ``shutdown()``, which comes after the last commit. A
    /// lost lease stops Litestream at once, so that this writer no longer touches the replica.
    public func run(store: EventStore) async {
        let supervisor = self.supervisor
        let task = Task { await supervisor.run() }
        state.withLock { $0.litestream = task }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.renewLease() }
            group.addTask { await self.watch(store) }
        }
    }

    /// Stops Litestream once it has shipped what is left, then gives up the lease.
    public func shutdown() async {
        if mayWrite, supervisor.isRunning {
            do {
                try await litestream.sync(databasePath: databasePath, socket: "\(configurationDirectory)/litestream.sock", environment: settings.environment)
            } catch {
                logger.error("the last appends may not be in the replica", metadata: ["error": "\(error)"])
            }
        }
        await supervisor.stop()
        await state.withLock { $0.litestream }?.value
        if !state.withLock({ $0.leaseLost }) { await lease.release() }
        try? FileManager.default.removeItem(atPath: configurationDirectory)
        logger.info("replication stopped", metadata: ["replica": "\(settings.location)"])
    }

    private func renewLease() async {
        let interval = settings.leaseDuration / 3
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            do {
                try await lease.renew()
            } catch let error as ReplicationError where error.code == .leaseHeld {
                state.withLock { $0.leaseLost = true }
                logger.critical("lease lost: appends are refused and replication stops", metadata: ["replica": "\(settings.location)", "error": "\(error)"])
                await supervisor.stop()
                return
            } catch {
                logger.warning("lease not renewed; trying again", metadata: ["error": "\(error)"])
            }
        }
    }

    private func watch(_ store: EventStore) async {
        let interval = max(settings.syncInterval, .seconds(1))
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard mayWrite else { continue }
            do {
                let published = state.withLock { $0.publishedSize }
                let size = try await checkpoints.publishLatest(from: store, after: published)
                state.withLock { $0.publishedSize = size }
                try await measureLag(store)
            } catch where !Task.isCancelled {
                logger.warning("replication check failed", metadata: ["error": "\(error)"])
            } catch {
                return
            }
        }
    }

    /// The lag: the ledger's head is sampled each pass; the replica holds at least the head of
    /// the last sample taken before Litestream's newest object was written.
    private func measureLag(_ store: EventStore) async throws {
        let now = Date()
        let head = try await store.reading { try $0.head()?.position ?? 0 }
        let newest = try await checkpoints.newestReplicaWrite()
        state.withLock { state in
            state.heads.append((now, head))
            let replicated = newest.flatMap { written in state.heads.last(where: { $0.0 <= written })?.1 } ?? 0
            if let waiting = state.heads.first(where: { $0.1 > replicated }) {
                state.lagSeconds = head > replicated ? now.timeIntervalSince(waiting.0) : 0
            } else {
                state.lagSeconds = 0
            }
            if let keepFrom = state.heads.lastIndex(where: { $0.1 <= replicated }) { state.heads.removeFirst(keepFrom) }
        }
    }
}
