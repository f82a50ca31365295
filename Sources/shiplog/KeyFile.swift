import ArgumentParser
import Foundation

/// Writes key files so that they are never readable by others, not even for a moment.
enum KeyFile {
    /// Creates `path` holding `contents` with `mode`: written to a temporary file
    /// opened with that mode (O_CREAT | O_EXCL, so it is never created wider),
    /// synced, then linked into place, which fails rather than replace an existing file.
    static func create(_ path: String, contents: String, mode: mode_t) throws {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw CommandFailure("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { unlink(temporary) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        // The umask may have narrowed the mode; fchmod sets exactly what was asked.
        let synced = written == bytes.count && fchmod(descriptor, mode) == 0 && fsync(descriptor) == 0
        close(descriptor)
        guard synced else { throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))") }
        guard link(temporary, path) == 0 else {
            throw CommandFailure("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }
}
