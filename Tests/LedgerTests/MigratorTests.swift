import Foundation
import Ledger
import SQLite
import TestSupport
import Testing

struct MigratorTests {
    let directory = TemporaryDirectory()

    @Test func theEmbeddedMigrationsAreAppliedInOrderAndRecordedWithChecksums() throws {
        let db = try Connection(path: directory.path("m.sqlite"), mode: .readWrite(create: true))
        let applied = try Migrator.embedded.migrate(db)
        #expect(applied == Migrator.embedded.migrations.map(\.name))
        #expect(Array(applied.prefix(2)) == ["0001_events", "0002_projections"])
        let recorded = try db.prepare("SELECT version, name, checksum FROM schema_migrations ORDER BY version").query {
            ($0.int(at: 0), $0.string(at: 1), $0.string(at: 2))
        }
        #expect(recorded.map(\.0) == Migrator.embedded.migrations.map(\.version))
        #expect(recorded.map(\.0) == recorded.map(\.0).sorted() && Set(recorded.map(\.0)).count == recorded.count)
        #expect(recorded.map(\.2) == Migrator.embedded.migrations.map(\.checksum))
        #expect(try Migrator.embedded.migrate(db).isEmpty, "a second run applies nothing")
    }

    @Test func anAppliedMigrationWhoseSQLChangedStopsStartUpNamingIt() throws {
        let db = try Connection(path: directory.path("m.sqlite"), mode: .readWrite(create: true))
        try Migrator.embedded.migrate(db)
        var edited = Migrator.embedded.migrations
        edited[1] = .init(version: edited[1].version, name: edited[1].name, sql: edited[1].sql + "\n-- an innocent comment")
        let error = try #require(throws: LedgerError.self) { try Migrator(migrations: edited).migrate(db) }
        #expect(error.message.contains("migration 0002_projections was changed after it was applied"))
    }

    @Test func aMigrationThatFailsLeavesNoTraceOfItself() throws {
        let db = try Connection(path: directory.path("m.sqlite"), mode: .readWrite(create: true))
        let broken = Migrator(migrations: [
            .init(version: 1, name: "0001_ok", sql: "CREATE TABLE a (x INTEGER);"),
            .init(version: 2, name: "0002_broken", sql: "CREATE TABLE b (x INTEGER); CREATE TABLE nonsense ("),
        ])
        #expect(throws: SQLiteError.self) { try broken.migrate(db) }
        let tables = try db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").query { $0.string(at: 0) }
        #expect(tables == ["a", "schema_migrations"])
    }

    @Test func aDatabaseFromANewerShiplogIsRefused() throws {
        let db = try Connection(path: directory.path("m.sqlite"), mode: .readWrite(create: true))
        try Migrator.embedded.migrate(db)
        try db.prepare("INSERT INTO schema_migrations VALUES (99, '0099_future', 'x', 'now')").execute()
        let error = try #require(throws: LedgerError.self) { try Migrator.embedded.migrate(db) }
        #expect(error.message.contains("0099_future"))
    }
}
