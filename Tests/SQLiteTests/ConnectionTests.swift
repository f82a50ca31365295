import Foundation
import SQLite
import TestSupport
import Testing

struct ConnectionTests {
    let directory = TemporaryDirectory()

    func open(_ mode: Connection.Mode = .readWrite(create: true)) throws -> Connection {
        try Connection(path: directory.path("test.sqlite"), mode: mode)
    }

    @Test func valuesRoundTripThroughBindingAndColumnReads() throws {
        let db = try open()
        try db.execute("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)")
        try db.cachedStatement("INSERT INTO t VALUES (?, ?, ?, ?, ?)")
            .execute(Int64.max, 2.5, "héllo \"wörld\"", [UInt8]([0, 1, 255]), nil)
        try db.cachedStatement("INSERT INTO t VALUES (?, ?, ?, ?, ?)").execute(-1, 0.0, "", [UInt8](), "x")

        let rows = try db.prepare("SELECT i, d, s, b, n FROM t ORDER BY rowid").query { row in
            (row.int64(at: 0), row.double(at: 1), row.string(at: 2), row.blob(at: 3), row.optionalString(at: 4), row.isNull(at: 2))
        }
        #expect(rows.count == 2)
        #expect(rows[0].0 == Int64.max)
        #expect(rows[0].1 == 2.5)
        #expect(rows[0].2 == "héllo \"wörld\"")
        #expect(rows[0].3 == [0, 1, 255])
        #expect(rows[0].4 == nil)
        #expect(rows[1].2 == "")
        #expect(rows[1].5 == false, "an empty string binds as text, not NULL")
        #expect(rows[1].3 == [])
    }

    @Test func cachedStatementsAreReusedAcrossCalls() throws {
        let db = try open()
        try db.execute("CREATE TABLE t (a INTEGER)")
        let first = try db.cachedStatement("INSERT INTO t VALUES (?)")
        try first.execute(1)
        let second = try db.cachedStatement("INSERT INTO t VALUES (?)")
        try second.execute(2)
        #expect(first === second)
        #expect(try db.prepare("SELECT count(*) FROM t").queryFirst { $0.int(at: 0) } == 2)
    }

    @Test func errorsCarryTheExtendedCodeTheMessageAndTheSQL() throws {
        let db = try open()
        try db.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT UNIQUE)")
        try db.cachedStatement("INSERT INTO t (b) VALUES (?)").execute("x")
        let error = try #require(throws: SQLiteError.self) {
            try db.cachedStatement("INSERT INTO t (b) VALUES (?)").execute("x")
        }
        #expect(error.code == .constraintUnique)
        #expect(error.code.primary == .constraint)
        #expect(error.message.contains("UNIQUE constraint failed: t.b"))
        #expect(error.sql == "INSERT INTO t (b) VALUES (?)")
    }

    @Test func aTransactionRollsBackWhenItsBodyThrows() throws {
        let db = try open()
        try db.execute("CREATE TABLE t (a INTEGER)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.cachedStatement("INSERT INTO t VALUES (?)").execute(1)
                throw Boom()
            }
        }
        #expect(db.isAutocommit)
        #expect(try db.prepare("SELECT count(*) FROM t").queryFirst { $0.int(at: 0) } == 0)
    }

    @Test func aSavepointRollsBackAloneInsideItsTransaction() throws {
        let db = try open()
        try db.execute("CREATE TABLE t (a INTEGER)")
        struct Boom: Error {}
        try db.transaction {
            try db.cachedStatement("INSERT INTO t VALUES (?)").execute(1)
            _ = try? db.savepoint {
                try db.cachedStatement("INSERT INTO t VALUES (?)").execute(2)
                throw Boom()
            }
            try db.savepoint { try db.cachedStatement("INSERT INTO t VALUES (?)").execute(3) }
        }
        #expect(try db.prepare("SELECT a FROM t ORDER BY a").query { $0.int(at: 0) } == [1, 3])
    }

    @Test func writersUseWALWithFullSynchronousMode() throws {
        let db = try open()
        #expect(try db.prepare("PRAGMA journal_mode").queryFirst { $0.string(at: 0) } == "wal")
        #expect(try db.prepare("PRAGMA synchronous").queryFirst { $0.int(at: 0) } == 2)
    }

    @Test func aReadOnlyConnectionRefusesWrites() throws {
        let writer = try open()
        try writer.execute("CREATE TABLE t (a INTEGER)")
        let reader = try open(.readOnly)
        let error = try #require(throws: SQLiteError.self) { try reader.execute("INSERT INTO t VALUES (1)") }
        #expect(error.code.primary == .readOnly)
    }

    @Test func openingAFileThatIsNotADatabaseFails() throws {
        let path = directory.path("not-a-db.sqlite")
        try Data("this is plain text, not SQLite, and it is long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: SQLiteError.self) { try Connection(path: path, mode: .readWrite(create: false)) }
        #expect(error.code.primary == .notADatabase)
    }

    @Test func openingAMissingFileWithoutCreateFails() throws {
        let error = try #require(throws: SQLiteError.self) {
            try Connection(path: directory.path("missing.sqlite"), mode: .readWrite(create: false))
        }
        #expect(error.code.primary == .cantOpen)
    }
}
