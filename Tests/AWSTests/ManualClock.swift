import AWS
import Clocks
import Foundation
import Synchronization

/// A clock for retry tests: sleeping records the wait and moves time on, without waiting.
final class ManualClock: ShiplogClock {
    private let state = Mutex<(now: Date, sleeps: [Duration])>((Date(timeIntervalSince1970: 1_440_938_160), []))

    var now: Date { state.withLock { $0.now } }

    /// Every wait asked for, in order.
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func sleep(for duration: Duration) async throws {
        state.withLock {
            $0.sleeps.append(duration)
            $0.now = $0.now.addingTimeInterval(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        }
    }
}
