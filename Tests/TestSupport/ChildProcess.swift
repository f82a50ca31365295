import Foundation

/// A child process's exit status and what it printed.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

extension Process {
    /// Starts this process, one start at a time in this test process.
    ///
    /// Foundation's `run()` on Linux reads /proc/self/fd to close every other descriptor in the
    /// child. Several threads starting children at once, with over about 1,300 descriptors open,
    /// crash it (SIGSEGV in memmove inside `run()`): it took CI's test process down once, and a
    /// small program reproduces it (6 crashes in 15 runs of 40 threads with 1,360 pipes open;
    /// none in 15 with the starts serialized). Every test starts its children through here.
    public func start() throws {
        try Self.starting.withLock { try run() }
    }

    private static let starting = NSLock()

    /// Starts this process with `input` on its standard input and returns its status and output
    /// once it has exited.
    ///
    /// The reads and the wait happen on a thread of their own: a test blocking in them would hold
    /// one of the cooperative pool's threads (two on these machines) for as long as the child
    /// runs, and every other test's continuations, timeouts and servers would wait behind it.
    public func output(input: String = "") async throws -> ProcessOutput {
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        standardOutput = stdout
        standardError = stderr
        standardInput = stdin
        try start()
        let child = UncheckedProcess(process: self)
        return await withCheckedContinuation { continuation in
            Thread {
                // The other end of standard error is drained meanwhile, so that neither pipe can
                // fill and stall the child while this thread waits on the other.
                let errors = Thread.detachedRead(stderr.fileHandleForReading)
                stdin.fileHandleForWriting.write(Data(input.utf8))
                try? stdin.fileHandleForWriting.close()
                let out = stdout.fileHandleForReading.readDataToEndOfFile()
                let err = errors.wait()
                child.process.waitUntilExit()
                continuation.resume(
                    returning: ProcessOutput(
                        status: child.process.terminationStatus,
                        stdout: String(decoding: out, as: UTF8.self),
                        stderr: String(decoding: err, as: UTF8.self)))
            }.start()
        }
    }

    /// Waits until this running process exits and returns its status, on a thread of its own
    /// (see ``output(input:)``).
    @discardableResult
    public func exited() async -> Int32 {
        let child = UncheckedProcess(process: self)
        return await withCheckedContinuation { continuation in
            Thread {
                child.process.waitUntilExit()
                continuation.resume(returning: child.process.terminationStatus)
            }.start()
        }
    }
}

/// A `Process` handed to the one thread that waits on it.
private struct UncheckedProcess: @unchecked Sendable {
    let process: Process
}

extension Thread {
    /// Reads `handle` to its end on a new thread; `wait()` returns what was read.
    fileprivate static func detachedRead(_ handle: FileHandle) -> PendingRead {
        let pending = PendingRead()
        Thread {
            let data = handle.readDataToEndOfFile()
            pending.condition.lock()
            pending.data = data
            pending.condition.signal()
            pending.condition.unlock()
        }.start()
        return pending
    }
}

private final class PendingRead: @unchecked Sendable {
    let condition = NSCondition()
    var data: Data?

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}
