import Foundation
import Logging
import Synchronization

/// Runs `litestream replicate` for one ledger and keeps it running: restarted a second after it
/// dies, stopped with SIGTERM (Litestream then syncs what it has not yet shipped) when asked.
///
/// Its process id is kept in `<ledger>.litestream.pid`: a shiplog killed with SIGKILL leaves its
/// Litestream running, and the next supervisor of the same ledger stops that one before it
/// starts its own, so two never ship one ledger to one replica.
public final class LitestreamSupervisor: Sendable {
    private let litestream: Litestream
    private let configurationPath: String
    private let pidFile: String?
    private let environment: [String: String]
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var process: Process?
        var stopping = false
        var starts = 0
    }

    /// - Parameters:
    ///   - configurationPath: a file from ``Litestream/configuration(databasePath:location:syncInterval:retention:socket:)``.
    ///   - databasePath: the ledger; its Litestream's process id is kept beside it.
    public init(litestream: Litestream, configurationPath: String, databasePath: String? = nil, environment: [String: String], logger: Logger) {
        self.litestream = litestream
        self.pidFile = databasePath.map { $0 + ".litestream.pid" }
        self.configurationPath = configurationPath
        self.environment = Litestream.environment(from: environment)
        self.logger = logger
    }

    /// Whether Litestream runs now.
    public var isRunning: Bool { state.withLock { $0.process?.isRunning ?? false } }

    /// How often Litestream was restarted after dying.
    public var restarts: Int { state.withLock { max(0, $0.starts - 1) } }

    /// Starts Litestream and restarts it whenever it dies, until ``stop()``.
    public func run() async {
        await stopLeftover()
        while true {
            let finished = AsyncStream<Void>.makeStream()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: litestream.path)
            process.arguments = ["replicate", "-config", configurationPath]
            process.environment = environment
            process.standardOutput = FileHandle.standardError
            process.terminationHandler = { _ in finished.continuation.finish() }
            let started: Bool = state.withLock { state in
                guard !state.stopping else { return false }
                do {
                    try process.run()
                } catch {
                    logger.error("litestream did not start", metadata: ["error": "\(error)"])
                    return true
                }
                state.process = process
                state.starts += 1
                if let pidFile { try? "\(process.processIdentifier)\n".write(toFile: pidFile, atomically: true, encoding: .utf8) }
                return true
            }
            guard started else {
                removePidFile()
                return
            }
            if process.processIdentifier > 0 {
                logger.info("litestream replicating", metadata: ["litestream.pid": "\(process.processIdentifier)"])
                for await _ in finished.stream {}
            }
            if state.withLock({ $0.stopping }) {
                removePidFile()
                return
            }
            logger.warning("litestream exited; restarting it", metadata: ["litestream.status": "\(process.isRunning ? 0 : process.terminationStatus)"])
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Asks Litestream to finish (SIGTERM: it ships what is left, then exits) and waits up to
    /// `grace` for it; kills it after that.
    public func stop(grace: Duration = .seconds(15)) async {
        let process = state.withLock { state in
            state.stopping = true
            return state.process
        }
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            logger.warning("litestream did not stop within \(grace); killing it")
            kill(process.processIdentifier, SIGKILL)
        }
    }

    /// Stops the Litestream an earlier shiplog of this ledger left running (it was killed), if
    /// the process the pid file names is still a `litestream replicate`.
    private func stopLeftover() async {
        guard let pidFile, let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
              let commandLine = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8) else { return }
        let arguments = commandLine.split(separator: "\0")
        guard arguments.first?.hasSuffix("litestream") == true, arguments.contains("replicate") else { return }
        logger.warning("stopping the Litestream an earlier shiplog of this ledger left running", metadata: ["litestream.pid": "\(pid)"])
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(15)
        while kill(pid, 0) == 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
    }

    private func removePidFile() {
        if let pidFile { try? FileManager.default.removeItem(atPath: pidFile) }
    }
}
