import Foundation

/// The time source of the AWS layer: the wall clock for signing, and sleeping between retries.
///
/// Injected so tests and the simulators can run retries and rollouts on virtual time.
public protocol AWSClock: Sendable {
    var now: Date { get }
    func sleep(for duration: Duration) async throws
}
