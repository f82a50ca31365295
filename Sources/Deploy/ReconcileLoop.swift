import AWS
import Foundation
import Ledger
import Logging

/// The reconciler on an interval: one pass each `interval`, while it holds the `reconciler`
/// lease in the database, so that of several processes on one ledger only one reconciles; the
/// others wait and take over when the holder's lease expires.
///
/// It corrects drift in `configuration.reconcileCorrects` and only reports it elsewhere, and it
/// backs off (doubling the interval, up to ten times) while ECS throttles it.
public struct ReconcileLoop: Sendable {
    public static let leaseName = "reconciler"

    public let reconciler: Reconciler
    /// Who holds the lease: `pid@host` by default.
    public var holder: String
    public var interval: Duration
    /// How long a lease lasts without renewal: three intervals, so one slow pass does not lose it.
    public var leaseDuration: Duration { interval * 3 }
    /// Told of every pass, and of waiting for the lease.
    public var report: @Sendable (Event) -> Void = { _ in }
    /// Lease times are wall-clock times by default: leases are about real processes, whatever
    /// clock the drivers run on. Tests substitute a virtual clock.
    public var now: @Sendable () -> Date = { Date() }
    /// How the loop waits between passes (real time by default).
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    public enum Event: Sendable {
        case passed(Reconciler.Pass)
        case waitingForLease(holder: String, until: String)
        case throttled(backoff: Duration, message: String)
        /// The ledger refuses this process's writes (a replicated service that lost its lease):
        /// no pass runs while it does; said once, when it begins.
        case fenced(String)
    }

    public init(reconciler: Reconciler, holder: String? = nil, interval: Duration) {
        self.reconciler = reconciler
        self.holder = holder ?? ProcessOwner.current
        self.interval = interval
    }

    /// Runs passes until the task is cancelled (or `passes` have run), then gives the lease up.
    public func run(passes: Int? = nil, metadata: EventMetadata) async throws {
        let store = reconciler.engine.store
        let mode = Reconciler.Mode.correct(reconciler.engine.configuration.reconcileCorrects)
        let seconds = Double(leaseDuration.components.seconds)
        var wait = interval, done = 0, fenced = false
        do {
            while !Task.isCancelled, passes.map({ done < $0 }) ?? true {
                // The ledger may refuse any of this pass's writes (taking the lease, recording drift
                // or a correction): a fenced pass does not count, and the loop waits, not ends.
                do {
                    if try await store.acquireLease(Self.leaseName, holder: holder, now: now(), duration: seconds) {
                        do {
                            report(.passed(try await reconciler.pass(mode: mode, metadata: metadata)))
                            wait = interval
                        } catch let error as AWSError where error.kind == .throttling {
                            wait = min(wait * 2, interval * 10)
                            report(.throttled(backoff: wait, message: error.message))
                        }
                        done += 1
                    } else if let current = try store.leaseHolder(Self.leaseName, now: now()) {
                        report(.waitingForLease(holder: current.holder, until: current.expiresAt))
                    }
                    fenced = false
                } catch let error as LedgerError where error.code == .fenced {
                    if !fenced { report(.fenced(error.message)) }
                    fenced = true
                    wait = interval
                }
                if passes.map({ done < $0 }) ?? true { try await sleep(wait) }
            }
        } catch {
            // Stopped (SIGTERM, Ctrl-C) or failed: let another process take over at once.
            try? await store.releaseLease(Self.leaseName, holder: holder)
            throw error
        }
        try await store.releaseLease(Self.leaseName, holder: holder)
    }
}
