import Foundation
import SQLite

/// The notifier's subscriptions: one position in the log per sink.
extension EventStore {
    /// Where `sink`'s subscription has read to; nil before it first ran.
    public func notificationPosition(sink: String) throws -> Int64? {
        try read { db in
            try db.cachedStatement("SELECT position FROM notification_positions WHERE sink = ?").queryFirst(sink) { $0.int64(at: 0) }
        }
    }

    /// Moves `sink`'s subscription to `position`; never back, so two notifiers on one ledger
    /// cannot undo each other's progress.
    public func saveNotificationPosition(sink: String, position: Int64, now: Date) async throws {
        try await writeOperational { db in
            try db.cachedStatement("""
                INSERT INTO notification_positions (sink, position, updated_at) VALUES (?1, ?2, ?3)
                ON CONFLICT (sink) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
                WHERE excluded.position > notification_positions.position
                """).execute(sink, position, Timestamp.string(from: now))
        }
    }
}
