import Foundation

/// The local file where appends wait while the service cannot be reached, and the files beside it.
///
/// `PATH` holds one ``SpooledRecord`` a line, appended with `O_APPEND` and fsynced before anyone
/// is told a record is spooled. `PATH.sent` holds how many bytes of `PATH` the service has
/// acknowledged, replaced atomically (temporary file, fsync, rename) after each answer, so a
/// flush killed at any point resends at most the record it was sending, which its idempotency
/// key deduplicates. Once everything is sent both files are removed. `PATH.rejected` keeps what
/// the service refused, with the reason; `PATH.lock` serialises the processes that use the spool.
struct Spool {
    let path: String

    var sentPath: String { path + ".sent" }
    var rejectedPath: String { path + ".rejected" }
    private var lockPath: String { path + ".lock" }

    /// `option` (`--spool`), else `SHIPLOG_SPOOL`, else a file for `server` under
    /// `$XDG_STATE_HOME/shiplog/spool/`, else `~/.local/state/shiplog/spool/`.
    static func path(option: String?, server: String, environment: [String: String]) throws -> String {
        if let option { return option }
        if let path = environment["SHIPLOG_SPOOL"], !path.isEmpty { return path }
        let state: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            state = xdg
        } else if let home = environment["HOME"], !home.isEmpty {
            state = home + "/.local/state"
        } else {
            throw CommandFailure("no place for the spool: set SHIPLOG_SPOOL, XDG_STATE_HOME or HOME, or give --spool")
        }
        return state + "/shiplog/spool/" + fileName(for: server)
    }

    /// `http://127.0.0.1:8080` → `http-127.0.0.1-8080.jsonl`: one spool per service.
    static func fileName(for server: String) -> String {
        var name = ""
        for character in server {
            if character.isASCII && (character.isLetter || character.isNumber || character == ".") {
                name.append(character)
            } else if name.last != "-" {
                name.append("-")
            }
        }
        return name + ".jsonl"
    }

    /// Runs `body` holding the spool's lock, so the records of concurrent commands keep one order
    /// and two flushes never send the same record at once. The kernel drops the lock if the
    /// process dies.
    func exclusively<Value>(_ body: () async throws -> Value) async throws -> Value {
        try Self.createDirectory(of: path)
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot open the spool's lock \(lockPath)") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure("cannot lock the spool \(path)") }
        }
        return try await body()
    }

    /// Appends `record` and returns once it is on disk. Call it holding ``exclusively(_:)``.
    func add(_ record: SpooledRecord) throws {
        let creating = !FileManager.default.fileExists(atPath: path)
        // What was sent of an earlier spool (removed once empty) says nothing about this one.
        if creating { unlink(sentPath) }
        try dropUnfinishedLine()
        try Self.append(Data((try record.line() + "\n").utf8), to: path, what: "spool")
        if creating { Self.syncDirectory(of: path) }
    }

    /// The records not yet acknowledged, each with the offset just past its line.
    func pending() throws -> [(line: Substring, end: Int)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            unlink(sentPath)
            return []
        }
        let bytes = [UInt8](data)
        var start = sentOffset()
        if start > bytes.count { start = 0 }
        var records: [(line: Substring, end: Int)] = []
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            records.append((Substring(String(decoding: bytes[start..<newline], as: UTF8.self)), newline + 1))
            start = newline + 1
        }
        return records
    }

    /// Records that the service has answered every record up to `offset`.
    func markSent(through offset: Int) throws {
        let temporary = sentPath + ".tmp"
        unlink(temporary)
        try Self.append(Data("\(offset)\n".utf8), to: temporary, what: "spool's sent mark")
        guard rename(temporary, sentPath) == 0 else { throw failure("cannot replace \(sentPath)") }
        Self.syncDirectory(of: path)
    }

    /// Keeps a record the service refused, with why, in `PATH.rejected` (one JSON object a line:
    /// `line`, the spooled record as it was; `status`; `reason`; `rejected_at`).
    func reject(_ line: Substring, status: Int?, reason: String) throws {
        var object: [String: Any] = ["line": String(line), "reason": reason, "rejected_at": Date().formatted(.iso8601)]
        if let status { object["status"] = status }
        var data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        data.append(UInt8(ascii: "\n"))
        try Self.append(data, to: rejectedPath, what: "spool's rejected records")
    }

    /// Removes the spool once everything in it was answered.
    func removeIfSent() {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, sentOffset() >= size else { return }
        unlink(path)
        unlink(sentPath)
        Self.syncDirectory(of: path)
    }

    private func sentOffset() -> Int {
        guard let data = FileManager.default.contents(atPath: sentPath) else { return 0 }
        return Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// A line cut short by a crash while it was written was never reported as spooled: drop it,
    /// so the next record starts a line of its own.
    private func dropUnfinishedLine() throws {
        guard let data = FileManager.default.contents(atPath: path), let last = data.last, last != UInt8(ascii: "\n") else { return }
        let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        guard truncate(path, off_t(keep)) == 0 else { throw failure("cannot repair the spool \(path)") }
    }

    private static func append(_ data: Data, to path: String, what: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CommandFailure("cannot open the \(what) \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0 else {
            throw CommandFailure("cannot write the \(what) \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func createDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure("cannot create the spool's directory \(directory): \(error.localizedDescription)")
        }
    }

    /// A new or renamed file survives a crash only once its directory entry is synced too.
    private static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private func failure(_ what: String) -> CommandFailure {
        CommandFailure("\(what): \(String(cString: strerror(errno)))")
    }
}
