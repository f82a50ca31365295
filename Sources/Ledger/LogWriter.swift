import Foundation
import Logging
import SQLite

/// Writes appends into the log within one transaction: assigns positions and
/// stream versions, extends the hash chain and the Merkle tree, applies
/// projections, and keeps idempotency records.
struct LogWriter {
    private static let logger = Logger(label: "shiplog.ledger")
    private let connection: Connection
    private let recordedAt: String
    /// Whether the clock read earlier than the head's time, so the head's time was recorded.
    let clockWasBehind: Bool
    private var headPosition: Int64
    private var headHash: [UInt8]
    /// The Merkle tree's right edge; `nil` when the tree is not kept (benchmarks only).
    private var tree: MerkleFrontier?
    private var wroteAny = false
    private var ids: EventIDGenerator

    /// - Parameter knownTree: the tree's right edge as the last transaction of this process left
    ///   it; used when the log has not moved since (no other process appended), which saves
    ///   reading it back from `merkle_nodes` on every commit.
    /// - Parameter time: when the transaction records its events (the clock's reading).
    init(connection: Connection, time: Date, keepsTree: Bool = true, knownTree: TreeAtHead? = nil) throws {
        self.connection = connection
        let recordedAt = Timestamp.string(from: time)
        // Ids carry the clock's time even when it runs behind the head (below): they are ordered
        // for the index's sake, and unique by their random part whatever the clock does.
        ids = EventIDGenerator(time: time)
        // Read at the start of every transaction: another process may have appended since.
        let head = try connection.cachedStatement("SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1")
            .queryFirst { ($0.int64(at: 0), $0.blob(at: 1), $0.string(at: 2)) }
        headPosition = head?.0 ?? 0
        headHash = head?.1 ?? EventHasher.genesis
        // Times never go back along positions: a clock that stepped back (or another process's
        // that runs behind) records the head's time instead. The fixed-width UTC form orders as text.
        if let headTime = head?.2, recordedAt < headTime {
            self.recordedAt = headTime
            clockWasBehind = true
            Self.logger.notice("the clock is behind the ledger's head; recording the head's time", metadata: [
                "ledger.clock": "\(recordedAt)", "ledger.head_recorded_at": "\(headTime)",
            ])
        } else {
            self.recordedAt = recordedAt
            clockWasBehind = false
        }
        if keepsTree {
            if let knownTree, knownTree.position == headPosition, knownTree.hash == headHash {
                tree = knownTree.frontier
            } else {
                // A ledger from before the tree was kept gets it built once, here.
                tree = try LogTree.frontier(size: UInt64(headPosition), connection) ?? LogTree.rebuild(connection)
            }
        }
    }

    /// Appends one request. State changes only when it succeeds, so a caller's
    /// savepoint can roll it back alone.
    mutating func append(_ request: AppendRequest) throws -> AppendResult {
        let contentHash = request.idempotencyKey == nil ? [] : request.contentHash
        if let key = request.idempotencyKey, let earlier = try earlierAppend(key: key.stored) {
            guard earlier.contentHash == contentHash else { throw LedgerError.idempotencyConflict(key: key.key) }
            return AppendResult(events: try readEvents(from: earlier.first, through: earlier.last), deduplicated: true)
        }
        for stream in request.newStreams.sorted() {
            let actual = try currentVersion(of: stream)
            guard actual == 0 else { throw LedgerError.wrongExpectedVersion(stream: stream, expected: .noStream, actual: actual) }
        }
        for id in request.events.compactMap(\.id) {
            let text = id.uuidString.lowercased()
            if let position = try connection.cachedStatement("SELECT position FROM events WHERE id = ?").queryFirst(text, read: { $0.int64(at: 0) }) {
                throw LedgerError.invalidEvent("event id \(text) is already in the log (position \(position))")
            }
        }

        var versions: [String: Int64] = [:]
        if request.expectedVersion != .any {
            let stream = request.events[0].stream
            let actual = try currentVersion(of: stream)
            guard request.expectedVersion.accepts(actual: actual) else {
                throw LedgerError.wrongExpectedVersion(stream: stream, expected: request.expectedVersion, actual: actual)
            }
            versions[stream] = actual
        }

        let insert = try connection.cachedStatement("""
            INSERT INTO events (position, id, stream, version, type, data, metadata, actor, recorded_at, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let storeNode = try tree == nil ? nil : connection.cachedStatement("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)")
        var position = headPosition
        var previousHash = headHash
        var tree = self.tree
        var recorded: [RecordedEvent] = []
        recorded.reserveCapacity(request.events.count)
        // Consecutive events usually share their metadata: encode it once for them.
        var lastMetadata: (value: EventMetadata, json: String)?
        for event in request.events {
            let version: Int64
            if let known = versions[event.stream] {
                version = known + 1
            } else {
                version = try currentVersion(of: event.stream) + 1
            }
            versions[event.stream] = version
            position += 1
            let id = event.id?.uuidString.lowercased() ?? ids.nextID()
            let metadata: String
            if let last = lastMetadata, last.value == event.metadata {
                metadata = last.json
            } else {
                metadata = event.metadata.json
                lastMetadata = (event.metadata, metadata)
            }
            let hash = EventHasher.hash(
                position: position, stream: event.stream, version: version, id: id, type: event.type,
                data: event.data, metadata: metadata, recordedAt: recordedAt, prevHash: previousHash)

            defer { insert.reset() }
            try insert.bind(position, at: 1)
            try insert.bind(id, at: 2)
            try insert.bind(event.stream, at: 3)
            try insert.bind(version, at: 4)
            try insert.bind(event.type, at: 5)
            try insert.bind(event.data, at: 6)
            try insert.bind(metadata, at: 7)
            if let actor = event.metadata.effectiveActor { try insert.bind(actor, at: 8) } else { try insert.bindNull(at: 8) }
            try insert.bind(recordedAt, at: 9)
            try insert.bind(blob: previousHash, at: 10)
            try insert.bind(blob: hash, at: 11)
            try insert.step()

            try Projections.apply(
                event.payload, .init(position: position, stream: event.stream, metadata: .decoded(event.metadata), recordedAt: recordedAt),
                connection)
            recorded.append(RecordedEvent(
                position: position, id: id, stream: event.stream, version: version, type: event.type,
                data: event.data, metadata: metadata, recordedAt: recordedAt, prevHash: previousHash, hash: hash))
            try tree?.append(Merkle.leafHash(hash)) { level, index, node in
                if level >= LogTree.storedLevel { try storeNode?.execute(Int64(level), Int64(index), node) }
            }
            previousHash = hash
        }

        if let key = request.idempotencyKey {
            try connection.cachedStatement("""
                INSERT INTO idempotency_keys (key, content_hash, first_position, last_position, next_version) VALUES (?, ?, ?, ?, ?)
                """).execute(key.stored, contentHash, headPosition + 1, position, recorded.last?.version ?? 0)
        }
        headPosition = position
        headHash = previousHash
        self.tree = tree
        wroteAny = true
        return AppendResult(events: recorded, deduplicated: false)
    }

    /// The tree's right edge at the head this writer has reached, for the next transaction.
    var treeAtHead: TreeAtHead? {
        tree.map { TreeAtHead(position: headPosition, hash: headHash, frontier: $0) }
    }

    /// Records the projections' position once per transaction, not once per event.
    func finish() throws {
        if wroteAny { try Projections.markApplied(upTo: headPosition, connection) }
    }

    private func currentVersion(of stream: String) throws -> Int64 {
        try connection.cachedStatement("SELECT version FROM events WHERE stream = ? ORDER BY version DESC LIMIT 1")
            .queryFirst(stream) { $0.int64(at: 0) } ?? 0
    }

    private func earlierAppend(key: String) throws -> (contentHash: [UInt8], first: Int64, last: Int64)? {
        try connection.cachedStatement("SELECT content_hash, first_position, last_position FROM idempotency_keys WHERE key = ?")
            .queryFirst(key) { ($0.blob(at: 0), $0.int64(at: 1), $0.int64(at: 2)) }
    }

    private func readEvents(from first: Int64, through last: Int64) throws -> [RecordedEvent] {
        try connection.cachedStatement(EventQuery.select + " WHERE position BETWEEN ? AND ? ORDER BY position")
            .query(first, last, read: EventQuery.read)
    }
}

/// The Merkle tree's right edge at a given head of the log.
struct TreeAtHead {
    var position: Int64
    var hash: [UInt8]
    var frontier: MerkleFrontier
}
