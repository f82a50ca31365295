import SQLite

/// A consistent view of the ledger: the log, its tree and its projections as
/// of one moment, read in one transaction. Reports read through it so that
/// the deployments they list, the events they carry and the tree head they
/// embed all describe the same log.
///
/// ```swift
/// let report = try store.snapshot { snapshot in
///     (try snapshot.treeHead(), try snapshot.deployments(DeploymentFilter(limit: .max)))
/// }
/// ```
public struct LedgerSnapshot {
    private let db: Connection
    /// How many events the log held at this moment.
    public let size: UInt64

    init(_ db: Connection) throws {
        self.db = db
        size = try LogTree.size(db)
    }

    /// The tree head of the whole log as of this snapshot.
    public func treeHead() throws -> TreeHead {
        TreeHead(size: size, root: try Merkle.root(size: size) { try LogTree.subtree($0, $1, db) })
    }

    /// The right edge of the tree of `size` events (`size` ≤ ``size``).
    public func frontier(size: UInt64) throws -> MerkleFrontier {
        guard size <= self.size, let frontier = try LogTree.frontier(size: size, db) else {
            throw TransparencyError.outOfRange("tree size \(size) is beyond the log (it has \(self.size) events)")
        }
        return frontier
    }

    public func deployments(_ filter: DeploymentFilter) throws -> [DeploymentRecord] {
        try ProjectionQueries.deployments(filter, db)
    }

    /// Calls `body` with each deployment `filter` selects, oldest first, holding none of them.
    public func forEachDeployment(_ filter: DeploymentFilter, _ body: (DeploymentRecord) throws -> Void) throws {
        try ProjectionQueries.deployments(filter, oldestFirst: true, db, body)
    }

    /// Calls `body` with every event from `first` to the end of the snapshot, in order.
    public func forEachEvent(from first: Int64, _ body: (RecordedEvent) throws -> Void) throws {
        let statement = try db.prepare(EventQuery.select + " WHERE position >= ? AND position <= ? ORDER BY position")
        try statement.bind(first, at: 1)
        try statement.bind(Int64(size), at: 2)
        while try statement.step() { try body(EventQuery.read(statement)) }
    }

    /// The newest stored signed checkpoint and its tree size, if any.
    public func latestCheckpoint() throws -> (size: UInt64, note: String)? {
        try db.cachedStatement("SELECT tree_size, note FROM checkpoints ORDER BY rowid DESC LIMIT 1")
            .queryFirst { (UInt64($0.int64(at: 0)), $0.string(at: 1)) }
    }
}

extension EventStore {
    /// Runs `body` with a consistent snapshot of the ledger (one read transaction).
    ///
    /// - Parameter streaming: the snapshot lasts as long as a client takes to receive what is read
    ///   from it (an export): it gets a connection of its own rather than one of the bounded pool's.
    public func snapshot<T>(streaming: Bool = false, _ body: (LedgerSnapshot) throws -> T) throws -> T {
        try read(alone: streaming) { db in
            try db.transaction(.deferred) { try body(try LedgerSnapshot(db)) }
        }
    }
}
