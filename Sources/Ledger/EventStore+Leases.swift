import Foundation
import SQLite

/// Leases and the small operational records of long-running jobs (the reconciler).
///
/// They live beside the log, not in it: taking a lease or finishing a pass is not an event.
/// Writes go through the writer thread like appends, so they never interleave with a commit.
extension EventStore {
    /// Takes the lease `name` for `holder`, or renews it, unless another holder's lease is
    /// still valid at `now`.
    ///
    /// - Returns: `true` when `holder` holds the lease until `now + duration`.
    public func acquireLease(_ name: String, holder: String, now: Date, duration: TimeInterval) async throws -> Bool {
        let current = Timestamp.string(from: now), expires = Timestamp.string(from: now.addingTimeInterval(duration))
        return try await writeOperational { db in
            try db.transaction(.immediate) {
                // > An UPSERT is an ordinary INSERT statement that is followed by the special ON CONFLICT clause
                try db.cachedStatement("""
                    INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                    WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4
                    """).execute(name, holder, expires, current)
                return try db.cachedStatement("SELECT holder FROM leases WHERE name = ?").queryFirst(name) { $0.string(at: 0) } == holder
            }
        }
    }

    /// Gives the lease up, if `holder` holds it.
    public func releaseLease(_ name: String, holder: String) async throws {
        try await writeOperational { db in
            try db.cachedStatement("DELETE FROM leases WHERE name = ? AND holder = ?").execute(name, holder)
        }
    }

    /// Who holds the lease at `now`, if anyone.
    public func leaseHolder(_ name: String, now: Date) throws -> (holder: String, expiresAt: String)? {
        try read { db in
            try db.cachedStatement("SELECT holder, expires_at FROM leases WHERE name = ? AND expires_at > ?")
                .queryFirst(name, Timestamp.string(from: now)) { ($0.string(at: 0), $0.string(at: 1)) }
        }
    }

    /// Keeps `value` (JSON) under `key`, replacing what was there.
    public func saveServiceState(_ key: String, value: String, now: Date) async throws {
        try await writeOperational { db in
            try db.cachedStatement("""
                INSERT INTO service_state (key, value, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """).execute(key, value, Timestamp.string(from: now))
        }
    }

    /// What was kept under `key`.
    public func serviceState(_ key: String) throws -> String? {
        try read { db in
            try db.cachedStatement("SELECT value FROM service_state WHERE key = ?").queryFirst(key) { $0.string(at: 0) }
        }
    }

    func writeOperational<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        guard let writer = groupWriter else { throw LedgerError.notALedger(path, "opened read-only") }
        do {
            return try await writer.exclusive(work)
        } catch let error as SQLiteError {
            throw LedgerError.storage("\(path): \(error.message)", error)
        }
    }
}
