import Clocks
import Foundation
import Ledger
import Synchronization
import TestSupport

/// A clock that starts at a fixed time and moves one second per reading.
final class SteppingClock: ShiplogClock {
    private let seconds = Mutex<TimeInterval>(1_796_000_000)

    var now: Date {
        seconds.withLock { value in
            value += 1
            return Date(timeIntervalSince1970: value)
        }
    }

    func sleep(for duration: Duration) async throws {
        seconds.withLock { $0 += duration.timeInterval }
    }
}

/// A ledger in a temporary directory.
struct TestLedger {
    let directory = TemporaryDirectory()
    let clock = SteppingClock()
    var path: String { directory.path("ledger.sqlite") }

    func open(_ access: EventStore.Access = .readWrite(create: true)) throws -> EventStore {
        try EventStore(path: path, access: access, clock: clock)
    }
}

func requested(_ id: String, app: String = "api", env: String = "staging", tag: String = "abc123",
               trigger: DeploymentTrigger = .merge, actor: String = "ana", via: String? = nil) -> NewEvent {
    NewEvent(stream: "deployment-\(id)", DeploymentRequested(app: app, environment: env, tag: tag, trigger: trigger),
             metadata: EventMetadata(actor: via ?? actor, onBehalfOf: via == nil ? nil : actor))
}

func arn(_ family: String, _ revision: Int) -> String {
    "arn:aws:ecs:us-east-1:123456789012:task-definition/\(family):\(revision)"
}

/// `true` when `body` returns, `false` when it throws.
func succeeds<T>(_ body: () async throws -> T) async -> Bool {
    do {
        _ = try await body()
        return true
    } catch {
        return false
    }
}
