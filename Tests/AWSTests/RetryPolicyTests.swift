import AWS
import Synchronization
import Testing

struct RetryPolicyTests {
    static let throttled = AWSError(kind: .throttling, code: "ThrottlingException", message: "Rate exceeded", operation: "ecs:UpdateService", statusCode: 400)

    @Test func retriesThrottlingWithExponentialBackoffThenSucceeds() async throws {
        let clock = ManualClock()
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), jitter: { 0.5 })
        let attempts = Mutex(0)
        let result = try await policy.run(clock: clock) {
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt < 3 { throw Self.throttled }
            return "ok"
        }
        #expect(result == "ok")
        #expect(attempts.withLock { $0 } == 3)
        // Full jitter over ceilings of 100 ms then 200 ms, with the random fraction pinned at 0.5.
        #expect(clock.sleeps == [.milliseconds(50), .milliseconds(100)])
    }

    @Test func stopsAfterMaxAttemptsAndRethrowsAWSsError() async throws {
        let clock = ManualClock()
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), jitter: { 0.99 })
        let attempts = Mutex(0)
        let error = await #expect(throws: AWSError.self) {
            try await policy.run(clock: clock) { () async throws -> Int in
                attempts.withLock { $0 += 1 }
                throw Self.throttled
            }
        }
        #expect(error?.code == "ThrottlingException")
        #expect(attempts.withLock { $0 } == 4)
        #expect(clock.sleeps.count == 3)
    }

    @Test func stopsWhenTheNextWaitWouldPassTheTotalTimeLimit() async throws {
        let clock = ManualClock()
        let policy = RetryPolicy(maxAttempts: 100, baseDelay: .seconds(1), maxDelay: .seconds(8), maxTotalTime: .seconds(10), jitter: { 0.999 })
        let attempts = Mutex(0)
        await #expect(throws: AWSError.self) {
            try await policy.run(clock: clock) { () async throws -> Int in
                attempts.withLock { $0 += 1 }
                throw AWSError(kind: .serverError, code: "ServerException", message: "", operation: "ecs:DescribeServices", statusCode: 500)
            }
        }
        // Waits of ~1 s, ~2 s and ~4 s fit in 10 s; the next (~8 s) would not.
        #expect(attempts.withLock { $0 } == 4)
        let waited = clock.sleeps.reduce(Duration.zero, +)
        #expect(waited <= .seconds(10))
    }

    @Test func doesNotRetryAClientError() async throws {
        let clock = ManualClock()
        let attempts = Mutex(0)
        await #expect(throws: AWSError.self) {
            try await RetryPolicy().run(clock: clock) { () async throws -> Int in
                attempts.withLock { $0 += 1 }
                throw AWSError(kind: .service, code: "ClusterNotFoundException", message: "Cluster not found.", operation: "ecs:DescribeServices", statusCode: 400)
            }
        }
        #expect(attempts.withLock { $0 } == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func backoffCeilingDoublesUpToTheMaximum() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .milliseconds(500))
        #expect((1...5).map(policy.backoffCeiling(afterAttempt:)) == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500),
        ])
    }
}
