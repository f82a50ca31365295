import Foundation
@testable import Ledger
import SQLite
import TestSupport
import Testing

/// Storage failures a caller can tell apart: a lock held elsewhere, a file that is gone.
struct StorageFailureTests {
    let ledger = TestLedger()

    @Test func anAppendWhileAnotherProcessHoldsTheWriteLockFailsAsBusyAndWritesNothing() async throws {
        let store = try ledger.open()
        let other = try Connection(path: ledger.path, mode: .readWrite(create: false), busyTimeoutMilliseconds: 0)
        try other.execute("BEGIN EXCLUSIVE")
        await #expect {
            try await store.append([requested("1")])
        } throws: { error in
            (error as? LedgerError)?.storageCode == .busy
        }
        try other.execute("ROLLBACK")
        #expect(try store.events().isEmpty)
        _ = try await store.append([requested("1")])
        #expect(try store.events().count == 1)
    }

    @Test func errorsOtherThanStorageFailuresCarryNoStorageCode() {
        #expect(LedgerError.invalidEvent("bad").storageCode == nil)
        #expect(LedgerError.storage("broken").storageCode == .other)
    }

    @Test func theStorageCodeFollowsSQLitesPrimaryResultCode() {
        #expect(LedgerError.StorageCode(.busy) == .busy)
        #expect(LedgerError.StorageCode(.locked) == .busy)
        #expect(LedgerError.StorageCode(.full) == .full)
        #expect(LedgerError.StorageCode(ResultCode(rawValue: ResultCode.ioError.rawValue | (4 << 8))) == .ioError, "SQLITE_IOERR_SHORT_READ")
        #expect(LedgerError.StorageCode(.readOnly) == .readOnly)
        #expect(LedgerError.StorageCode(.cantOpen) == .cantOpen)
        #expect(LedgerError.StorageCode(.corrupt) == .other)
    }

    @Test func aLedgerWhoseFileIsGoneIsNotWritableUntilItIsBack() throws {
        let store = try ledger.open()
        try store.checkWritable()
        let moved = ledger.path + ".moved"
        try FileManager.default.moveItem(atPath: ledger.path, toPath: moved)
        #expect { try store.checkWritable() } throws: { ($0 as? LedgerError)?.storageCode == .cantOpen }
        try FileManager.default.moveItem(atPath: moved, toPath: ledger.path)
        try store.checkWritable()
    }
}
