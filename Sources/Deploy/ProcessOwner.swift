import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells a deployment whose process is running from one whose process died.
///
/// A claim records `pid@host` and the run's id. Another host's claim is taken as alive here (there
/// is no way to tell from here; its heartbeat tells, see ``EnvironmentClaim``). On this host the process
/// must exist, and if it is this very process the run must still be going: a flow stopped by a
/// crash hook in a test leaves its run behind exactly as a killed process would.
enum ProcessOwner {
    static let host = ProcessInfo.processInfo.hostName
    static var current: String { "\(getpid())@\(host)" }

    private static let activeRuns = Mutex<Set<String>>([])

    static func begin(_ run: String) { _ = activeRuns.withLock { $0.insert(run) } }
    static func end(_ run: String) { _ = activeRuns.withLock { $0.remove(run) } }

    /// Whether `owner` (`pid@host`) names a process on this host, whose liveness its pid tells.
    static func isOnThisHost(_ owner: String) -> Bool {
        let parts = owner.split(separator: "@", maxSplits: 1)
        return parts.count == 2 && Int32(parts[0]) != nil && parts[1] == host
    }

    static func isAlive(owner: String, run: String?) -> Bool {
        let parts = owner.split(separator: "@", maxSplits: 1).map(String.init)
        guard parts.count == 2, let pid = Int32(parts[0]) else { return true }
        guard parts[1] == host else { return true }
        if pid == getpid() { return run.map { run in activeRuns.withLock { $0.contains(run) } } ?? false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
