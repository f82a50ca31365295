import SQLite

extension LedgerError {
    /// What the storage underneath a ``LedgerError/storage(_:code:)`` failure reported, from
    /// SQLite's primary result code.
    ///
    /// Match it in a `switch` when deciding between "try again later" and "broken":
    ///
    /// ```swift
    /// switch error.storageCode {
    /// case .busy?, .full?: retryLater()
    /// default: fail()
    /// }
    /// ```
    public struct StorageCode: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        private init(_ description: String) {
            self.description = description
        }

        /// Another connection or process held the lock beyond the busy timeout (`SQLITE_BUSY`, `SQLITE_LOCKED`).
        public static let busy = StorageCode("busy")
        /// The disk or file system is full (`SQLITE_FULL`).
        public static let full = StorageCode("full")
        /// The operating system reported an I/O error (`SQLITE_IOERR`).
        public static let ioError = StorageCode("I/O error")
        /// The file or its file system cannot be written (`SQLITE_READONLY`).
        public static let readOnly = StorageCode("read-only")
        /// The file cannot be opened, or is gone (`SQLITE_CANTOPEN`).
        public static let cantOpen = StorageCode("cannot open")
        /// Anything else: a bug, a corrupt file, a misuse.
        public static let other = StorageCode("other")

        /// The code for SQLite's result code, primary or extended.
        init(_ code: ResultCode) {
            switch code.primary {
            case .busy, .locked: self = .busy
            case .full: self = .full
            case .ioError: self = .ioError
            case .readOnly: self = .readOnly
            case .cantOpen: self = .cantOpen
            default: self = .other
            }
        }
    }

    /// A storage failure carrying what SQLite reported.
    static func storage(_ reason: String, _ error: SQLiteError) -> LedgerError {
        .storage(reason, code: StorageCode(error.code))
    }
}
