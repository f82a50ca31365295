import Foundation
import Logging
import Synchronization

/// Runs `litestream replicate` for one ledger and keeps it running: restarted a second after it
/// dies, stopped with SIGTERM (Litestream then syncs what it has not yet shipped) when asked.
public final class LitestreamSupervisor: Sendable {
    private let litestream: Litestream
    private let configurationPath: String
    private let environment: [String: String]
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var process: Process?
        var stopping = false
        var starts = 0
    }

    /// - Parameter configurationPath: a file from ``Litestream/configuration(databasePath:location:syncInterval:retention:)``.
    public init(litestream: Litestream, configurationPath: String, environment: [String: String], logger: Logger) {
        self.litestream = litestream
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
                return true
            }
            guard started else { return }
            if process.processIdentifier > 0 {
                logger.info("litestream replicating", metadata: ["litestream.pid": "\(process.processIdentifier)"])
                for await _ in finished.stream {}
            }
            if state.withLock({ $0.stopping }) { return }
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
}
