import Clocks
import Foundation
import Synchronization

/// A clock that moves only when told to: tests and the demo advance it, nothing waits.
///
/// `sleep(for:)` moves the clock forward by the duration and returns at once, because in a
/// simulation nothing else would move it: a retry that backs off for 400 ms shows up as 400 ms
/// of virtual time, at no cost in real time.
public final class VirtualClock: ShiplogClock {
    private let current: Mutex<Date>

    /// - Parameter start: the initial time; a fixed date so runs are reproducible.
    public init(start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        self.current = Mutex(start)
    }

    public var now: Date {
        current.withLock { $0 }
    }

    /// Moves the clock forward.
    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.addingTimeInterval(duration.timeInterval) }
    }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        advance(by: duration)
    }
}
