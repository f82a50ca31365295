import Clocks
import Foundation
import SQLite
import Synchronization

/// The ledger's event store: an append-only, hash-chained log in SQLite with
/// projections kept in step.
///
/// Appends go through one writer thread with group commit; reads use a small
/// pool of read-only connections.
///
/// ```swift
/// let store = try EventStore(path: "shiplog.sqlite", access: .readWrite(create: true))
/// let result = try await store.append(
///     [NewEvent(stream: "deployment-42", DeploymentRequested(app: "api", environment: "staging", tag: "abc123", trigger: .merge))],
///     expectedVersion: .noStream)
/// ```
public final class EventStore: Sendable {
    /// How the store opens its database.
    public enum Access: Sendable, Equatable {
        /// Appends allowed; `create` makes and migrates a new database when the file is missing.
        case readWrite(create: Bool)
        /// Reads only: nothing is written, not even migrations.
        case readOnly
    }

    public let path: String
    private let writer: GroupCommitWriter?
    private let readers: ReaderPool

    /// Opens (or, with `.readWrite(create: true)`, creates) the ledger at `path`.
    ///
    /// - Throws: ``LedgerError`` naming the problem: a missing file, a file that is
    ///   not a SQLite database or not a ledger, a read-only path, a changed migration.
    public convenience init(path: String, access: Access = .readWrite(create: false), clock: any ShiplogClock = SystemClock()) throws {
        try self.init(path: path, access: access, clock: clock, keepsMerkleTree: true)
    }

    /// Opens the ledger; with `keepsMerkleTree: false` appends skip the Merkle
    /// tree, which leaves it incomplete: for measuring what the tree costs, never
    /// for a real ledger.
    @_spi(Benchmarks)
    public init(path: String, access: Access, clock: any ShiplogClock = SystemClock(), keepsMerkleTree: Bool) throws {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists, access != .readWrite(create: true) {
            throw LedgerError.notALedger(path, "no such file (run `shiplog init` to create a ledger)")
        }
        // SQLite takes an empty file for a new database: a ledger truncated to nothing would
        // start again at position 1 as if nothing had happened.
        if exists, (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == 0 {
            throw LedgerError.notALedger(path, "the file is empty; a ledger is never started again over one (remove it and run `shiplog init` for a new ledger)")
        }
        switch access {
        case .readWrite(let create):
            let connection: Connection
            do {
                connection = try Connection(path: path, mode: .readWrite(create: create))
            } catch let error as SQLiteError {
                throw Self.openError(path, error, creating: !exists)
            }
            guard !connection.isReadOnly else {
                throw LedgerError.notALedger(path, "the file is read-only, and appending needs write access")
            }
            do {
                try Migrator.embedded.migrate(connection, clock: clock)
                if keepsMerkleTree {
                    // A ledger from before the tree was kept gets it built once, here.
                    try connection.transaction(.immediate) {
                        if try LogTree.frontier(size: LogTree.size(connection), connection) == nil { _ = try LogTree.rebuild(connection) }
                    }
                    if let reason = try Self.tampering(connection) { throw LedgerError.tampered(path, reason) }
                }
            } catch let error as SQLiteError {
                throw Self.openError(path, error, creating: !exists)
            }
            writer = GroupCommitWriter(connection: connection, clock: clock, keepsTree: keepsMerkleTree)
        case .readOnly:
            do {
                let connection = try Connection(path: path, mode: .readOnly)
                try Migrator.embedded.verifyApplied(connection)
            } catch let error as SQLiteError {
                throw Self.openError(path, error, creating: false)
            }
            writer = nil
        }
        readers = ReaderPool(path: path)
    }

    deinit {
        writer?.close()
    }

    /// Finishes queued appends and stops the writer. Later appends fail.
    public func close() {
        writer?.close()
    }

    // MARK: Appending

    /// Appends `events` atomically.
    ///
    /// - Parameters:
    ///   - events: events of one stream, or of several when `expectedVersion` is `.any`.
    ///   - expectedVersion: what the stream must be at; a stale expectation writes nothing.
    ///   - idempotencyKey: a retry with the same key and content returns the original
    ///     events; the same key with other content is refused.
    /// - Returns: the recorded events, after the transaction holding them committed.
    public func append(_ events: [NewEvent], expectedVersion: ExpectedVersion = .any, idempotencyKey: IdempotencyKey? = nil) async throws -> AppendResult {
        try await append(AppendRequest(events: events, expectedVersion: expectedVersion, idempotencyKey: idempotencyKey))
    }

    /// Appends one request atomically; see ``append(_:expectedVersion:idempotencyKey:)``.
    public func append(_ request: AppendRequest) async throws -> AppendResult {
        guard let writer else { throw LedgerError.notALedger(path, "opened read-only") }
        return try await writer.append(request)
    }

    /// Makes every later write of this store (appends, checkpoints, leases, projection rebuilds)
    /// ask `check` first, on the writer thread just before its transaction: a reason it returns
    /// refuses the write with ``LedgerError/fenced(_:)`` and nothing is written. The service
    /// fences its store on the replica's lease, so no write path outlives a lost lease.
    public func fenceWrites(_ check: @escaping @Sendable () -> String?) {
        writer?.setFence(check)
    }

    /// Append transactions of this process that recorded the head's time because the clock read
    /// earlier than it (times never go back along positions); the service exports it as a metric.
    public var clockBehindCommits: Int { writer?.clockBehindCommits.load(ordering: .relaxed) ?? 0 }

    /// The writer thread, for operational writes and for tests that hold it to shape a batch.
    var groupWriter: GroupCommitWriter? { writer }

    // MARK: Reading

    /// Events matching `filter`, in position order.
    public func events(_ filter: EventFilter = EventFilter()) throws -> [RecordedEvent] {
        try read { try EventQuery.events(filter, $0) }
    }

    /// Calls `body` with every event after `position`, in order, without loading the log into memory.
    public func forEachEvent(after position: Int64 = 0, _ body: (RecordedEvent) throws -> Void) throws {
        try read { db in
            let statement = try db.prepare(EventQuery.select + " WHERE position > ? ORDER BY position")
            try statement.bind(position, at: 1)
            while try statement.step() { try body(EventQuery.read(statement)) }
        }
    }

    /// The stream's last version (0 when it does not exist).
    public func streamVersion(_ stream: String) throws -> Int64 {
        try read { db in
            try db.cachedStatement("SELECT version FROM events WHERE stream = ? ORDER BY version DESC LIMIT 1").queryFirst(stream) { $0.int64(at: 0) } ?? 0
        }
    }

    /// Whether an append was recorded under `key` (a retry of it is answered from the log).
    public func hasAppended(under key: IdempotencyKey) throws -> Bool {
        try read { db in
            try db.cachedStatement("SELECT 1 FROM idempotency_keys WHERE key = ?").queryFirst(key.stored) { _ in true } ?? false
        }
    }

    /// The first event of each of `streams` that exists: who opened it, and with what.
    public func firstEvents(of streams: some Sequence<String>) throws -> [String: RecordedEvent] {
        try read { db in
            let statement = try db.cachedStatement(EventQuery.select + " WHERE stream = ? AND version = 1")
            var found: [String: RecordedEvent] = [:]
            for stream in Set(streams) {
                if let event = try statement.queryFirst(stream, read: EventQuery.read) { found[stream] = event }
            }
            return found
        }
    }

    /// The last event's position and hash; `nil` for an empty log.
    public func head() throws -> (position: Int64, hash: [UInt8])? {
        try read { db in
            try db.cachedStatement("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1").queryFirst { ($0.int64(at: 0), $0.blob(at: 1)) }
        }
    }

    public func environmentStates() throws -> [EnvironmentState] {
        try read(ProjectionQueries.environmentStates)
    }

    public func deployments(_ filter: DeploymentFilter = DeploymentFilter()) throws -> [DeploymentRecord] {
        try read { try ProjectionQueries.deployments(filter, $0) }
    }

    public func audit(_ filter: AuditFilter = AuditFilter()) throws -> [AuditEntry] {
        try read { try ProjectionQueries.audit(filter, $0) }
    }

    /// The last position each projection has applied.
    public func projectionPositions() throws -> [String: Int64] {
        try read(ProjectionQueries.positions)
    }

    /// Runs `work` — reads of this store — on a reader thread, off Swift's cooperative pool, as
    /// appends run on the writer's thread: SQLite calls block, and the cooperative pool has only
    /// as many threads as cores. The task suspends until `work` returns.
    ///
    /// ```swift
    /// let events = try await store.reading { try $0.events(EventFilter(stream: "deployment-42")) }
    /// ```
    public func reading<T: Sendable>(_ work: @escaping @Sendable (EventStore) throws -> T) async throws -> T {
        try await readers.onReaderThread { try work(self) }
    }

    /// Runs `body` on a read-only connection from the pool, waiting for one when all are lent; or,
    /// `alone`, on one of its own (``ReaderPool/readAlone(_:)``).
    func read<T>(alone: Bool = false, _ body: (Connection) throws -> T) throws -> T {
        do {
            return try alone ? readers.readAlone(body) : readers.read(body)
        } catch let error as SQLiteError {
            throw LedgerError.storage("reading \(path) failed: \(error.message)", error)
        }
    }

    // MARK: Verifying and rebuilding

    /// Checks the whole ledger against itself and its checkpoints (``LedgerVerifier``): SQLite's
    /// integrity check, the hash chain, the columns derived from hashed content, the Merkle tree
    /// and every signed checkpoint; names the first thing that does not match.
    ///
    /// - Parameter quick: SQLite's `quick_check` instead of the full `integrity_check`.
    public func verify(quick: Bool = false) throws -> Verification {
        try read { db in try db.transaction(.deferred) { try LedgerVerifier(db: db, quick: quick).run() } }
    }

    /// Empties every projection and replays the whole log into them, in one transaction.
    public func rebuild() async throws -> RebuildReport {
        guard let writer else { throw LedgerError.notALedger(path, "opened read-only") }
        return try await writer.exclusive { db in
            let started = ContinuousClock.now
            return try db.transaction(.immediate) {
                try Projections.reset(db)
                let statement = try ReplayQuery.statement(db)
                var applied = 0
                while try statement.step() {
                    let (payload, event) = try ReplayQuery.input(statement)
                    try Projections.apply(payload, event, db)
                    applied += 1
                }
                let head = try db.prepare("SELECT coalesce(max(position), 0) FROM events").queryFirst { $0.int64(at: 0) } ?? 0
                try Projections.markApplied(upTo: head, db)
                let elapsed = ContinuousClock.now - started
                return RebuildReport(events: head, applied: applied, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
        }
    }

    /// Why appending to the ledger in `db` would build on a lie: its head does not match its own
    /// hash, or its tree is not the one its last checkpoint signed. O(log n): the full check is
    /// ``verify(quick:)``.
    private static func tampering(_ db: Connection) throws -> String? {
        if let head = try db.prepare(EventQuery.select + " ORDER BY position DESC LIMIT 1").queryFirst(read: EventQuery.read),
           EventHasher.hash(of: head) != head.hash {
            return "the head (position \(head.position)) does not match its hash"
        }
        guard let (size, root, signedAt) = try db.prepare("SELECT tree_size, root_hash, signed_at FROM checkpoints ORDER BY tree_size DESC, rowid DESC LIMIT 1")
            .queryFirst(read: { (UInt64($0.int64(at: 0)), $0.blob(at: 1), $0.string(at: 2)) }) else { return nil }
        let logSize = try LogTree.size(db)
        guard size <= logSize else {
            return "the log has \(logSize) events but a checkpoint of size \(size) was signed at \(signedAt)"
        }
        let actual = try? Merkle.root(size: size) { try LogTree.subtree($0, $1, db) }
        return actual == root ? nil : "the tree at size \(size) is not the one the checkpoint signed at \(signedAt) holds"
    }

    private static func openError(_ path: String, _ error: SQLiteError, creating: Bool) -> LedgerError {
        switch error.code.primary {
        case .notADatabase:
            return .notALedger(path, "the file is not a SQLite database")
        case .readOnly:
            return .notALedger(path, "the file is read-only, and appending needs write access")
        case .cantOpen:
            return .notALedger(path, creating ? "cannot create the file (is the directory missing or read-only?)" : "cannot open the file")
        default:
            return .storage("\(path): \(error.message)", error)
        }
    }
}

/// The result of ``EventStore/verify()``.
public struct Verification: Sendable, Equatable {
    public struct Failure: Sendable, Equatable {
        /// The first position that does not match; nil for what is no one event's (a damaged
        /// database file, a checkpoint at odds with its own note).
        public var position: Int64?
        public var reason: String
    }

    /// How many events verified before the first failure (all, when intact).
    public var count: Int64
    /// The hash of the last verified event.
    public var headHash: [UInt8]
    public var failure: Failure?
    /// How many stored checkpoints the log was held to.
    public var checkpoints: Int = 0

    public var isIntact: Bool { failure == nil }
}

/// The result of ``EventStore/rebuild()``.
public struct RebuildReport: Sendable, Equatable {
    /// The head position replayed up to.
    public var events: Int64
    /// How many events changed a projection.
    public var applied: Int
    public var seconds: Double
}
