import Clocks
import Foundation

/// How often and how long to retry a failed AWS call: exponential backoff with full jitter.
///
/// Attempt `n` (from 1) that fails with a retryable error waits a random time in
/// `0 ... min(maxDelay, baseDelay * 2^(n-1))` (the "full jitter" of the AWS Architecture Blog's
/// "Exponential Backoff And Jitter"). Retrying stops after `maxAttempts` attempts, or when the
/// next wait would end past `maxTotalTime` since the first attempt — whichever comes first.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var maxTotalTime: Duration
    /// Returns a fraction in `0..<1`; injectable so tests can pin the jitter.
    public var jitter: @Sendable () -> Double

    public init(
        maxAttempts: Int = 5,
        baseDelay: Duration = .milliseconds(100),
        maxDelay: Duration = .seconds(20),
        maxTotalTime: Duration = .seconds(60),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxTotalTime = maxTotalTime
        self.jitter = jitter
    }

    /// One attempt, no retries.
    public static var none: RetryPolicy { RetryPolicy(maxAttempts: 1) }

    /// The ceiling of the wait after failed attempt `attempt` (1-based), before jitter.
    public func backoffCeiling(afterAttempt attempt: Int) -> Duration {
        let exponent = min(attempt - 1, 30)
        let ceiling = baseDelay * (1 << exponent)
        return min(ceiling, maxDelay)
    }

    /// Runs `body`, retrying retryable ``AWSError``s within the policy's bounds.
    ///
    /// The last error is rethrown unchanged when the bounds are reached, so callers see
    /// AWS's code and message (for example `ThrottlingException`).
    public func run<Result: Sendable>(
        clock: any ShiplogClock,
        _ body: () async throws -> Result
    ) async throws -> Result {
        let start = clock.now
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as AWSError where error.isRetryable && attempt < maxAttempts {
                let delay = backoffCeiling(afterAttempt: attempt) * jitter()
                let elapsed = Duration.seconds(clock.now.timeIntervalSince(start))
                guard elapsed + delay <= maxTotalTime else { throw error }
                try await clock.sleep(for: delay)
                attempt += 1
            }
        }
    }
}
