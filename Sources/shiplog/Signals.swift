import Dispatch
import Foundation

/// Runs `work` until it ends or SIGTERM/SIGINT cancels it, as the `--watch` commands run; true
/// when a signal stopped it (the work saw a cancellation), false when it ended by itself.
func untilSignalled(_ work: @escaping @Sendable () async throws -> Void) async throws -> Bool {
    let task = Task { try await work() }
    let signals = [SIGTERM, SIGINT].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number)
        source.setEventHandler { task.cancel() }
        source.resume()
        return source
    }
    defer { signals.forEach { $0.cancel() } }
    do {
        try await task.value
        return false
    } catch is CancellationError {
        return true
    }
}
