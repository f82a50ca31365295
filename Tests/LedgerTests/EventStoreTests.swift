import Clocks
import Foundation
@testable import Ledger
import SQLite
import TestSupport
import Testing

struct EventStoreTests {
    let ledger = TestLedger()

    @Test func appendedEventsGetGapFreePositionsAndPerStreamVersions() async throws {
        let store = try ledger.open()
        let first = try await store.append([requested("1"), requested("2")])
        let second = try await store.append([
            NewEvent(stream: "deployment-1", DeploymentStable(taskDefinitionArn: arn("staging-api", 7)))
        ])
        #expect(first.events.map(\.position) == [1, 2])
        #expect(first.events.map(\.version) == [1, 1])
        #expect(second.events.map(\.position) == [3])
        #expect(second.events.map(\.version) == [2])

        let all = try store.events()
        #expect(all.map(\.position) == [1, 2, 3])
        #expect(all == first.events + second.events, "what was returned is what was stored")
    }

    @Test func readsFilterByStreamTypeActorAndPositionRange() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("1", actor: "ana"), requested("2", actor: "ben")])
        _ = try await store.append([NewEvent(stream: "deployment-1", DeploymentFailed(stage: "update", reason: "boom"),
                                             metadata: EventMetadata(actor: "ana"))])
        #expect(try store.events(EventFilter(stream: "deployment-1")).map(\.position) == [1, 3])
        #expect(try store.events(EventFilter(type: "DeploymentFailed")).map(\.position) == [3])
        #expect(try store.events(EventFilter(actor: "ben")).map(\.position) == [2])
        #expect(try store.events(EventFilter(after: 1, limit: 1)).map(\.position) == [2])
        #expect(try store.events(EventFilter(after: 1, through: 2)).map(\.position) == [2])
    }

    @Test func theActorOfABotActingForAPersonIsThePerson() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("1", actor: "ana", via: "openverse-bot")])
        #expect(try store.events(EventFilter(actor: "ana")).count == 1)
        #expect(try store.events(EventFilter(actor: "openverse-bot")).isEmpty)
        let metadata = try #require(try store.events().first).decodedMetadata()
        #expect(metadata.actor == "openverse-bot")
        #expect(metadata.onBehalfOf == "ana")
    }

    @Test(arguments: [
        (ExpectedVersion.noStream, true), (.exactly(1), false), (.streamExists, false), (.any, true),
    ])
    func expectationsOnANewStream(expected: ExpectedVersion, accepted: Bool) async throws {
        let store = try ledger.open()
        let appended = await succeeds { try await store.append([requested("1")], expectedVersion: expected) }
        #expect(appended == accepted)
        #expect(try store.events().count == (accepted ? 1 : 0))
    }

    @Test func aStaleExpectedVersionIsRefusedWithTheActualVersionAndWritesNothing() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("1")], expectedVersion: .noStream)
        _ = try await store.append([NewEvent(stream: "deployment-1", ImageVerified(image: "ghcr.io/wordpress/openverse-api", tag: "abc123"))],
                                   expectedVersion: .exactly(1))
        let error = await #expect(throws: LedgerError.self) {
            try await store.append([NewEvent(stream: "deployment-1", DeploymentFailed(stage: "verify", reason: "late"))],
                                   expectedVersion: .exactly(1))
        }
        #expect(error?.code == .wrongExpectedVersion)
        #expect(error?.actualVersion == 2)
        #expect(error?.message.contains("is at version 2") == true)
        #expect(try store.events().count == 2)
        #expect(try store.streamVersion("deployment-1") == 2)
    }

    @Test func anExpectationOverSeveralStreamsIsRefused() async throws {
        let store = try ledger.open()
        await #expect(throws: LedgerError.self) {
            try await store.append([requested("1"), requested("2")], expectedVersion: .noStream)
        }
        #expect(try store.events().isEmpty)
    }

    @Test func aRetryWithTheSameIdempotencyKeyReturnsTheOriginalPositionsEvenAfterARestart() async throws {
        var store: EventStore? = try ledger.open()
        let original = try await store!.append([requested("1"), requested("2")], idempotencyKey: "ci-run-77")
        store?.close()
        store = nil

        let reopened = try ledger.open()
        let retry = try await reopened.append([requested("1"), requested("2")], idempotencyKey: "ci-run-77")
        #expect(retry.deduplicated)
        #expect(retry.events == original.events)
        #expect(try reopened.events().count == 2)
    }

    @Test func theSameIdempotencyKeyWithOtherContentIsAConflictAndWritesNothing() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("1")], idempotencyKey: "k")
        let error = await #expect(throws: LedgerError.self) {
            try await store.append([requested("1", tag: "other")], idempotencyKey: "k")
        }
        #expect(error?.code == .idempotencyConflict)
        #expect(try store.events().count == 1)
    }

    @Test func idempotencyKeysOfOneScopeAreNotAnothers() async throws {
        let store = try ledger.open()
        let first = try await store.append([requested("1")], idempotencyKey: try IdempotencyKey("run-1", scope: "token:a"))
        let second = try await store.append([requested("2")], idempotencyKey: try IdempotencyKey("run-1", scope: "token:b"))
        #expect(!second.deduplicated)
        #expect(second.events.first?.position != first.events.first?.position)
        let retry = try await store.append([requested("2")], idempotencyKey: try IdempotencyKey("run-1", scope: "token:b"))
        #expect(retry.deduplicated && retry.events == second.events)
        #expect(throws: LedgerError.self) { try IdempotencyKey("has space", scope: "token:a") }
    }

    @Test func anEventIdIsNeverGivenToASecondEvent() async throws {
        let store = try ledger.open()
        let id = UUID()
        _ = try await store.append([NewEvent(id: id, stream: "a", type: "ImageBuilt", data: #"{"image":"i","tag":"t"}"#)])
        let again = await #expect(throws: LedgerError.self) {
            try await store.append([NewEvent(id: id, stream: "b", type: "ImageBuilt", data: #"{"image":"i","tag":"t"}"#)])
        }
        #expect(again?.message.contains("is already in the log (position 1)") == true)
        let twice = #expect(throws: LedgerError.self) {
            let built = #"{"image":"i","tag":"t"}"#
            return try AppendRequest(events: [NewEvent(id: id, stream: "c", type: "ImageBuilt", data: built), NewEvent(id: id, stream: "c", type: "ImageBuilt", data: built)])
        }
        #expect(twice?.message.contains("is given twice") == true)
        #expect(try store.events().count == 1)
    }

    @Test func anAppendThatMustOpenItsStreamsFailsWhenOneExists() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("1")])
        var request = try AppendRequest(events: [requested("1"), requested("2")])
        request.newStreams = ["deployment-1"]
        await #expect(throws: LedgerError.self) { try await store.append(request) }
        #expect(try store.events().count == 1)
    }

    @Test func aZeroByteFileIsNotALedgerAndIsLeftAsItIs() throws {
        let path = ledger.directory.path("empty.sqlite")
        FileManager.default.createFile(atPath: path, contents: Data())
        for access in [EventStore.Access.readWrite(create: true), .readWrite(create: false), .readOnly] {
            let error = #expect(throws: LedgerError.self) { try EventStore(path: path, access: access) }
            #expect(error?.message.contains("the file is empty") == true)
        }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 0)
    }

    @Test func theProjectionsReactToTypesOfTheLedgersOneList() {
        #expect(Projections.relevantTypes.isSubset(of: Set(EventTypes.names)))
        #expect(Projections.relevantTypes.isSuperset(of: [DeploymentRequested.eventType, DeploymentStable.eventType, TokenIssued.eventType]))
        #expect(!Projections.relevantTypes.contains(ServiceUpdated.eventType))
    }

    @Test func rawEventsAreCheckedAgainstTheirSchemaBeforeAnythingIsWritten() async throws {
        let store = try ledger.open()
        let unknown = await #expect(throws: LedgerError.self) {
            try await store.append([NewEvent(stream: "s", type: "DeploymentRequestd", data: "{}")])
        }
        #expect(unknown?.message == "unknown event type 'DeploymentRequestd' (did you mean 'DeploymentRequested'?)")
        let missing = await #expect(throws: LedgerError.self) {
            try await store.append([NewEvent(stream: "s", type: "DeploymentFailed", data: #"{"stage":"update"}"#)])
        }
        #expect(missing?.message == "DeploymentFailed: missing field 'reason'")
        let wrongType = await #expect(throws: LedgerError.self) {
            try await store.append([NewEvent(stream: "s", type: "DeploymentTimedOut", data: #"{"timeout_seconds":"soon"}"#)])
        }
        #expect(wrongType?.message == "DeploymentTimedOut: field 'timeout_seconds' must be a number")
        #expect(try store.events().isEmpty)
    }

    @Test func theHashChainLinksEveryEventToThePreviousOne() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("1"), requested("2"), requested("3")])
        let events = try store.events()
        #expect(events[0].prevHash == EventHasher.genesis)
        for (previous, event) in zip(events, events.dropFirst()) {
            #expect(event.prevHash == previous.hash)
        }
        for event in events {
            #expect(EventHasher.hash(of: event) == event.hash)
        }
        let verification = try store.verify()
        #expect(verification.isIntact)
        #expect(verification.count == 3)
        #expect(verification.headHash == events[2].hash)
    }

    @Test func theDatabaseItselfRefusesToUpdateOrDeleteEvents() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("1")])
        let db = try Connection(path: ledger.path, mode: .readWrite(create: false))
        let update = try #require(throws: SQLiteError.self) { try db.execute("UPDATE events SET data = '{}'") }
        #expect(update.message.contains("append-only"))
        let delete = try #require(throws: SQLiteError.self) { try db.execute("DELETE FROM events") }
        #expect(delete.message.contains("append-only"))
        #expect(try store.events().count == 1)
    }

    @Test(arguments: ["data", "stream", "recorded_at", "metadata"])
    func verifyNamesTheFirstPositionAlteredBehindTheLedgersBack(column: String) async throws {
        let store = try ledger.open()
        _ = try await store.append((1...5).map { requested("\($0)") })
        let db = try Connection(path: ledger.path, mode: .readWrite(create: false))
        try db.execute("DROP TRIGGER events_no_update")
        try db.execute("UPDATE events SET \(column) = \(column) || ' ' WHERE position = 3")

        let verification = try store.verify()
        #expect(verification.failure?.position == 3)
        #expect(verification.failure?.reason == "its content does not match its hash")
        #expect(verification.count == 2)
    }

    @Test func verifyFindsADeletedEvent() async throws {
        let store = try ledger.open()
        _ = try await store.append((1...5).map { requested("\($0)") })
        let db = try Connection(path: ledger.path, mode: .readWrite(create: false))
        try db.execute("DROP TRIGGER events_no_delete")
        try db.execute("DELETE FROM events WHERE position = 4")
        #expect(try store.verify().failure?.position == 4)
    }

    @Test func aRecomputedForgeryStillBreaksTheChainAtTheNextEvent() async throws {
        let store = try ledger.open()
        _ = try await store.append((1...4).map { requested("\($0)") })
        var forged = try #require(try store.events(EventFilter(after: 1, limit: 1)).first)
        forged.data = forged.data.replacingOccurrences(of: "abc123", with: "evil99")
        let db = try Connection(path: ledger.path, mode: .readWrite(create: false))
        try db.execute("DROP TRIGGER events_no_update")
        try db.prepare("UPDATE events SET data = ?, hash = ? WHERE position = 2").execute(forged.data, EventHasher.hash(of: forged))
        let failure = try #require(try store.verify().failure)
        #expect(failure.position == 3)
        #expect(failure.reason.contains("previous hash"))
    }

    @Test func aReadOnlyStoreReadsButDoesNotAppend() async throws {
        let writer = try ledger.open()
        _ = try await writer.append([requested("1")])
        let reader = try ledger.open(.readOnly)
        #expect(try reader.events().count == 1)
        await #expect(throws: LedgerError.self) { try await reader.append([requested("2")]) }
        #expect(try writer.events().count == 1)
    }

    @Test func openingErrorsNameTheProblem() throws {
        let missing = try #require(throws: LedgerError.self) { try EventStore(path: ledger.directory.path("nope.sqlite")) }
        #expect(missing.message.contains("no such file"))

        let text = ledger.directory.path("notes.txt")
        try Data(String(repeating: "not sqlite ", count: 20).utf8).write(to: URL(fileURLWithPath: text))
        let notSQLite = try #require(throws: LedgerError.self) { try EventStore(path: text) }
        #expect(notSQLite.message == "\(text) is not a shiplog ledger: the file is not a SQLite database")

        let foreign = ledger.directory.path("other.sqlite")
        try Connection(path: foreign, mode: .readWrite(create: true)).execute("CREATE TABLE customers (id INTEGER)")
        let notOurs = try #require(throws: LedgerError.self) { try EventStore(path: foreign) }
        #expect(notOurs.message.contains("a SQLite database of something else"))

        let unwritable = try #require(throws: LedgerError.self) {
            try EventStore(path: "/proc/shiplog-test/ledger.sqlite", access: .readWrite(create: true))
        }
        #expect(unwritable.message.contains("cannot create the file"))
    }
}

/// A clock that says what it is told.
struct FixedLedgerClock: ShiplogClock {
    let date: Date
    var now: Date { date }
    func sleep(for duration: Duration) async throws {}
}

extension EventStoreTests {
    @Test func recordedTimesNeverGoBackAlongPositionsWhenAClockDoes() async throws {
        let later = Date(timeIntervalSince1970: 1_796_000_000)
        let ahead = try EventStore(path: ledger.path, access: .readWrite(create: true), clock: FixedLedgerClock(date: later))
        _ = try await ahead.append([requested("1")])
        ahead.close()
        let behind = try EventStore(path: ledger.path, access: .readWrite(create: false), clock: FixedLedgerClock(date: later.addingTimeInterval(-3600)))
        _ = try await behind.append([requested("2")])
        let times = try behind.events().map(\.recordedAt)
        #expect(times == [Timestamp.string(from: later), Timestamp.string(from: later)])
        #expect(try behind.verify().isIntact)
    }
}
