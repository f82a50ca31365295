/// An error from the ledger, with a one-line message that names the problem.
///
/// Made by static members that fill in the message; match ``code`` in a `switch` or a `catch`
/// clause (`catch let error as LedgerError where error.code == .wrongExpectedVersion`).
public struct LedgerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of problem it is.
    public enum Code: Equatable, Sendable {
        case wrongExpectedVersion
        case idempotencyConflict
        case invalidEvent
        case unknownEventType
        case migrationChanged
        case unknownMigration
        case notALedger
        case storage
        case closed
        case tampered
        case fenced
    }

    public let code: Code
    /// What went wrong, on one line.
    public let message: String
    /// The stream's actual version, for a refused expectation.
    public let actualVersion: Int64?
    /// What the storage underneath reported, for a storage failure; nil for every other case.
    public let storageCode: StorageCode?

    private init(_ code: Code, _ message: String, actualVersion: Int64? = nil, storageCode: StorageCode? = nil) {
        self.code = code
        self.message = message
        self.actualVersion = actualVersion
        self.storageCode = storageCode
    }

    public var description: String { message }

    /// The append expected the stream at another version; nothing was written.
    public static func wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: Int64) -> LedgerError {
        let actualText = actual == 0 ? "does not exist" : "is at version \(actual)"
        return LedgerError(.wrongExpectedVersion, "wrong expected version for stream '\(stream)': expected \(expected), but the stream \(actualText)", actualVersion: actual)
    }

    /// The idempotency key was used before with other content.
    public static func idempotencyConflict(key: String) -> LedgerError {
        LedgerError(.idempotencyConflict, "idempotency key '\(key)' was already used for different events")
    }

    /// An event failed validation.
    public static func invalidEvent(_ reason: String) -> LedgerError {
        LedgerError(.invalidEvent, reason)
    }

    /// The event type is not one the ledger knows.
    public static func unknownEventType(_ type: String, suggestion: String?) -> LedgerError {
        var message = "unknown event type '\(type)'"
        if let suggestion { message += " (did you mean '\(suggestion)'?)" }
        return LedgerError(.unknownEventType, message)
    }

    /// An applied migration's SQL no longer matches what was applied.
    public static func migrationChanged(_ name: String) -> LedgerError {
        LedgerError(.migrationChanged, "migration \(name) was changed after it was applied (checksum mismatch); restore the original file")
    }

    /// The database has a migration this binary does not know (it is newer).
    public static func unknownMigration(_ name: String) -> LedgerError {
        LedgerError(.unknownMigration, "the database has migration \(name), which this shiplog does not know; upgrade shiplog")
    }

    /// The file is not a shiplog database.
    public static func notALedger(_ path: String, _ reason: String) -> LedgerError {
        LedgerError(.notALedger, "\(path) is not a shiplog ledger: \(reason)")
    }

    /// SQLite failed underneath.
    ///
    /// - Parameter code: what SQLite reported, so a caller can tell a passing condition (a lock held
    ///   elsewhere, a full disk) from a broken ledger.
    public static func storage(_ reason: String, code: StorageCode = .other) -> LedgerError {
        LedgerError(.storage, reason, storageCode: code)
    }

    /// The ledger does not match its own hashes or its last checkpoint: nothing is appended to it.
    public static func tampered(_ path: String, _ reason: String) -> LedgerError {
        LedgerError(.tampered, "\(path): refusing to append: \(reason); `shiplog verify` names what does not match")
    }

    /// The store's fence refuses writes: another process may be writing this ledger's replica
    /// (see ``EventStore/fenceWrites(_:)``); nothing was written.
    public static func fenced(_ reason: String) -> LedgerError {
        LedgerError(.fenced, reason)
    }

    /// The store was closed.
    public static let closed = LedgerError(.closed, "the event store is closed")

    public static func == (lhs: LedgerError, rhs: LedgerError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }
}
