import Foundation
import Synchronization

/// Debian's `chromium`, run headless from async tests without holding a thread of the
/// cooperative pool while it works (the service it loads answers on that pool).
public enum HeadlessChromium {
    /// The binary on PATH, or nil when chromium is not installed.
    public static var path: String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    /// Runs chromium with `arguments` and a profile of its own (so runs in parallel do not share
    /// one), stopping it after `timeout`.
    ///
    /// A run stopped for its timeout answers status 124 (as `timeout(1)` does), with the reason
    /// first in its standard error: chromium itself exits 0 on SIGTERM, without the screenshot or
    /// DOM it was asked for.
    public static func run(_ binary: String, _ arguments: [String], timeout: Duration = .seconds(90)) async throws -> ProcessOutput {
        let directory = TemporaryDirectory()
        let stdoutPath = directory.path("stdout"), stderrPath = directory.path("stderr")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(directory.path("profile"))"]
            + arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        let running = RunningProcess(process)
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            running.timedOut.withLock { $0 = true }
            running.process.terminate()
        }
        defer { watchdog.cancel() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.start()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        let timedOut = running.timedOut.withLock { $0 }
        return ProcessOutput(
            status: timedOut ? 124 : process.terminationStatus,
            stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
            stderr: timedOut ? "chromium was stopped after \(timeout)\n" + stderr : stderr)
    }

    /// Lets the watchdog task hold the process; it only ever calls `terminate()`, which is safe
    /// from any thread.
    private final class RunningProcess: @unchecked Sendable {
        let process: Process
        let timedOut = Mutex(false)
        init(_ process: Process) { self.process = process }
    }
}
