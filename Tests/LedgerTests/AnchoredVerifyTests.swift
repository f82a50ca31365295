import Foundation
@testable import Ledger
import SQLite
import TestSupport
import Testing

/// `verify` against the ways a ledger can be made to lie behind shiplog's back: each on a log of
/// 3,000 events with a signed checkpoint of size 3,000, the database changed with SQLite itself.
@Suite struct AnchoredVerifyTests {
    let ledger = TestLedger()

    /// A log of 3,000 events and a checkpoint signed over all of it.
    func checkpointedLog() async throws -> EventStore {
        let store = try ledger.open()
        for batch in 0..<30 {
            _ = try await store.append((0..<100).map { requested("\(batch * 100 + $0)", actor: "ana") })
        }
        _ = try await store.signCheckpoint(origin: "shiplog.test", signer: try NoteSigner(generatingKeyNamed: "shiplog.test"),
                                           time: Date(timeIntervalSince1970: 1_796_000_000))
        #expect(try store.verify().isIntact)
        return store
    }

    /// The database as an attacker with the file has it: triggers dropped.
    func tamper(_ sql: String...) throws {
        let db = try Connection(path: ledger.path, mode: .readWrite(create: false))
        try db.execute("DROP TRIGGER IF EXISTS events_no_update")
        try db.execute("DROP TRIGGER IF EXISTS events_no_delete")
        for statement in sql { try db.execute(statement) }
    }

    @Test func anHonestLedgerVerifiesAgainstItsCheckpoint() async throws {
        let store = try await checkpointedLog()
        let verification = try store.verify()
        #expect(verification.isIntact)
        #expect(verification.count == 3000)
        #expect(verification.checkpoints == 1)
    }

    @Test(arguments: ["DELETE FROM events WHERE position > 2995", "DELETE FROM events"])
    func aCutTailIsATruncationNamingTheCheckpoint(sql: String) async throws {
        let store = try await checkpointedLog()
        try tamper(sql)
        let failure = try #require(try store.verify().failure)
        #expect(failure.reason.contains("a checkpoint of size 3000 was signed at 2026-11-30T"), "\(failure.reason)")
        #expect(failure.reason.contains("the log was truncated"))
        let reopened = #expect(throws: LedgerError.self) { try ledger.open() }
        #expect(reopened?.message.contains("refusing to append") == true)
    }

    @Test func anEventChangedWithEveryLaterHashRecomputedIsCaughtByTheTree() async throws {
        let store = try await checkpointedLog()
        try rewrite(position: 1500)
        let failure = try #require(try store.verify().failure)
        #expect(failure.position == 1489, "the first position of the stored subtree that holds 1500: \(failure.reason)")
        #expect(failure.reason.contains("stored Merkle node"))
    }

    @Test func anEventChangedWithTheTreeRebuiltToMatchIsCaughtByTheCheckpoint() async throws {
        let store = try await checkpointedLog()
        try rewrite(position: 1500)
        let db = try Connection(path: ledger.path, mode: .readWrite(create: false))
        try db.transaction(.immediate) { _ = try LogTree.rebuild(db) }
        let failure = try #require(try store.verify().failure)
        #expect(failure.reason.contains("the checkpoint of size 3000 signed at 2026-11-30T"), "\(failure.reason)")
        #expect(failure.reason.contains("part between positions 1 and 3000"))
        #expect(throws: LedgerError.self) { try ledger.open() }
    }

    @Test func anOverwrittenMerkleNodeFailsWhereverItIs() async throws {
        let store = try await checkpointedLog()
        try tamper("UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 4 AND idx = 7")
        let failure = try #require(try store.verify().failure)
        #expect(failure.position == 113)
        #expect(failure.reason.contains("level 4, index 7"))
    }

    @Test func aRootNodeOverwrittenIsCaughtAndNoSecondRootIsSignedForTheSameSize() async throws {
        let store = try await checkpointedLog()
        // 3,000 = 2,048 + 512 + ...: the subtree of the first 2,048 events is part of every root.
        try tamper("UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 11 AND idx = 0")
        let failure = try #require(try store.verify().failure)
        #expect(failure.position == 1)
        #expect(failure.reason.contains("level 11, index 0"))
        let second = await #expect(throws: LedgerError.self) {
            try await store.signCheckpoint(origin: "shiplog.test", signer: try NoteSigner(generatingKeyNamed: "shiplog.test"), time: Date())
        }
        #expect(second?.message.contains("a second root is never signed for one size") == true)
        let reopened = #expect(throws: LedgerError.self) { try ledger.open() }
        #expect(reopened?.message.contains("is not the one the checkpoint signed at") == true)
    }

    @Test func anActorColumnThatIsNotTheHashedMetadataFails() async throws {
        let store = try await checkpointedLog()
        try tamper("UPDATE events SET actor = 'mallory' WHERE position = 42")
        let failure = try #require(try store.verify().failure)
        #expect(failure.position == 42)
        #expect(failure.reason == "its actor column says 'mallory' but its hashed metadata says 'ana'")
    }

    @Test func aDamagedIndexIsFoundBySQLitesIntegrityCheck() async throws {
        let store = try await checkpointedLog()
        // The index now claims to order the events by stream while its pages hold them by type:
        // what a damaged page of it looks like to SQLite.
        try tamper("PRAGMA writable_schema = ON",
                   "UPDATE sqlite_schema SET sql = 'CREATE INDEX events_by_type ON events (stream, position)' WHERE name = 'events_by_type'")
        let fresh = try EventStore(path: ledger.path, access: .readOnly)
        let failure = try #require(try fresh.verify().failure)
        #expect(failure.position == nil)
        #expect(failure.reason.hasPrefix("SQLite's integrity check found the database damaged"), "\(failure.reason)")
        _ = store
    }

    /// Changes the event at `position` and recomputes its hash and every later one, chain and all.
    private func rewrite(position: Int64) throws {
        let db = try Connection(path: ledger.path, mode: .readWrite(create: false))
        try db.execute("DROP TRIGGER events_no_update")
        let events = try db.prepare(EventQuery.select + " WHERE position >= ? ORDER BY position").query(position, read: EventQuery.read)
        var previous = try db.prepare("SELECT hash FROM events WHERE position = ?").queryFirst(position - 1) { $0.blob(at: 0) } ?? EventHasher.genesis
        try db.transaction(.immediate) {
            for var event in events {
                if event.position == position { event.data = event.data.replacingOccurrences(of: "abc123", with: "evil99") }
                event.prevHash = previous
                event.hash = EventHasher.hash(of: event)
                try db.prepare("UPDATE events SET data = ?, prev_hash = ?, hash = ? WHERE position = ?")
                    .execute(event.data, event.prevHash, event.hash, event.position)
                previous = event.hash
            }
        }
    }
}
