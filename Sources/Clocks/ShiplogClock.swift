import Foundation

/// The time every layer runs on: the wall clock for `recorded_at`, signatures and expiries, and
/// sleeping between polls and retries.
///
/// Injected so tests and the simulators run on virtual time (`VirtualClock` in Simulation).
public protocol ShiplogClock: Sendable {
    var now: Date { get }
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct SystemClock: ShiplogClock {
    public init() {}

    public var now: Date { Date() }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

extension Duration {
    /// The duration in seconds, as `Date` arithmetic wants it.
    public var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
