import ECS
import Foundation
import Ledger

/// The ledger's `recorded_at` on the simulation's clock, so durations in `history` are the simulated ones.
public struct VirtualLedgerClock: LedgerClock {
    public let clock: VirtualClock

    public init(_ clock: VirtualClock) {
        self.clock = clock
    }

    public func now() -> Date { clock.now }
}
