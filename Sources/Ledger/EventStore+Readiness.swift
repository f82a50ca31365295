import Foundation

extension EventStore {
    /// The least free space on the ledger's file system at which appends count as possible.
    public static let minimumFreeBytes: UInt64 = 1 << 20

    /// Throws when an append could not succeed now, for a readiness check.
    ///
    /// The connections the store holds keep working on a file that was deleted or moved, and
    /// SQLite reports a full disk only when a write needs a new page; so this looks at the file
    /// and its file system themselves.
    ///
    /// - Throws: ``LedgerError/storage(_:code:)`` with `.cantOpen` when the file is gone,
    ///   `.readOnly` when it or its directory cannot be written (SQLite writes its WAL and
    ///   shared-memory files beside it), `.full` when less than ``minimumFreeBytes`` are free.
    public func checkWritable() throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: path) else {
            throw LedgerError.storage("\(path) is gone", code: .cantOpen)
        }
        guard access(path, W_OK) == 0, access(directory, W_OK) == 0 else {
            throw LedgerError.storage("\(path) cannot be written: \(String(cString: strerror(errno)))", code: .readOnly)
        }
        var status = statvfs()
        guard statvfs(directory, &status) == 0 else {
            throw LedgerError.storage("cannot read the file system of \(path): \(String(cString: strerror(errno)))", code: .ioError)
        }
        let free = UInt64(status.f_bavail) * UInt64(status.f_frsize)
        guard free >= Self.minimumFreeBytes else {
            throw LedgerError.storage("the file system of \(path) is full (\(free) bytes free)", code: .full)
        }
    }
}
