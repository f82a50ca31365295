import Clocks
import Crypto
import Foundation
import SQLite

/// Applies the migrations embedded in the binary (from `migrations/*.sql`).
///
/// Each runs in its own transaction and is recorded with a SHA-256 checksum of
/// its SQL; a recorded migration whose SQL has changed since stops start-up.
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let sql: String

        public init(version: Int, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }

        public var checksum: String { Array(SHA256.hash(data: Data(sql.utf8))).hexString }
    }

    public let migrations: [Migration]

    /// The migrations compiled into this binary, in order.
    public static let embedded = Migrator(migrations: embeddedMigrations.map { entry in
        Migration(version: Int(entry.name.prefix { $0.isNumber }) ?? 0, name: entry.name, sql: entry.sql)
    })

    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Applies what is missing; throws when an applied migration changed or is unknown.
    ///
    /// - Returns: the names of the migrations applied now.
    @discardableResult
    public func migrate(_ db: Connection, clock: any ShiplogClock = SystemClock()) throws -> [String] {
        try refuseForeignDatabase(db)
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
        let applied = try appliedChecksums(db)
        try check(applied: applied)
        var newlyApplied: [String] = []
        for migration in migrations where applied[migration.version] == nil {
            try db.transaction(.immediate) {
                try db.execute(migration.sql)
                try db.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)")
                    .execute(migration.version, migration.name, migration.checksum, Timestamp.string(from: clock.now))
            }
            newlyApplied.append(migration.name)
        }
        return newlyApplied
    }

    /// Checks, without writing, that the database is a ledger fully migrated by this binary.
    public func verifyApplied(_ db: Connection) throws {
        let hasTable = try db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
            .queryFirst { _ in true } ?? false
        guard hasTable else { throw LedgerError.notALedger(db.path, "it has no shiplog schema (run `shiplog init`)") }
        let applied = try appliedChecksums(db)
        try check(applied: applied)
        if let missing = migrations.first(where: { applied[$0.version] == nil }) {
            throw LedgerError.notALedger(db.path, "migration \(missing.name) is not applied yet (open it read-write once)")
        }
    }

    private func appliedChecksums(_ db: Connection) throws -> [Int: (name: String, checksum: String)] {
        var applied: [Int: (name: String, checksum: String)] = [:]
        for row in try db.prepare("SELECT version, name, checksum FROM schema_migrations").query(read: { ($0.int(at: 0), $0.string(at: 1), $0.string(at: 2)) }) {
            applied[row.0] = (row.1, row.2)
        }
        return applied
    }

    private func check(applied: [Int: (name: String, checksum: String)]) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else { throw LedgerError.unknownMigration(record.name) }
            guard migration.checksum == record.checksum else { throw LedgerError.migrationChanged(migration.name) }
        }
    }

    /// A SQLite file with tables but no migration record belongs to something
    /// else: writing our schema into it would be wrong.
    private func refuseForeignDatabase(_ db: Connection) throws {
        let tables = try db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .query { $0.string(at: 0) }
        if !tables.isEmpty && !tables.contains("schema_migrations") {
            throw LedgerError.notALedger(db.path, "it is a SQLite database of something else (tables: \(tables.prefix(3).joined(separator: ", ")))")
        }
    }
}
