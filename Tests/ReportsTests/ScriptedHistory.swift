import Clocks
import Foundation
import Ledger
import Synchronization
import TestSupport

/// A clock the test sets before each append.
final class ScriptedClock: ShiplogClock {
    private let current = Mutex(Date(timeIntervalSince1970: 0))

    func set(_ text: String) {
        current.withLock { $0 = Timestamp.date(from: text)! }
    }

    var now: Date { current.withLock { $0 } }

    func sleep(for duration: Duration) async throws {
        current.withLock { $0 += duration.timeInterval }
    }
}

/// A fixed history of ten deployments over two weeks of November 2026, with
/// automatic and manual rollbacks, a timeout, a failure, one still running,
/// builds in between, fixed event ids and a scripted clock: the same log, byte
/// for byte, on every run.
struct ScriptedHistory {
    let directory = TemporaryDirectory()
    let clock = ScriptedClock()
    var path: String { directory.path("ledger.sqlite") }
    private var sequence = 0

    /// The period the history spans.
    static let since = "2026-11-02T00:00:00.000000Z", until = "2026-11-16T00:00:00.000000Z"
    static let generatedAt = Timestamp.date(from: "2026-11-16T00:00:00Z")!

    static func arn(_ family: String, _ revision: Int) -> String {
        "arn:aws:ecs:us-east-1:123456789012:task-definition/\(family):\(revision)"
    }

    /// Builds the ledger and returns it open.
    static func make() async throws -> (ScriptedHistory, EventStore) {
        var history = ScriptedHistory()
        let store = try EventStore(path: history.path, access: .readWrite(create: true), clock: history.clock)
        try await history.record(into: store)
        return (history, store)
    }

    private mutating func record(into store: EventStore) async throws {
        let ana = EventMetadata(actor: "openverse-bot", onBehalfOf: "ana")
        func run(_ number: Int) -> String { "https://github.com/WordPress/openverse/actions/runs/\(7000 + number)" }

        try await build(store, at: "2026-11-02T08:40:00Z", image: "ghcr.io/wordpress/openverse-api", tag: "c1")
        // D1: api staging, merged, stable after 6 minutes.
        try await deploy(store, "1", "api", "staging", "c1", .merge, metadata(ana, run(1), "c1", "2026-11-02T08:30:00Z"), at: "2026-11-02T09:00:00Z", [
            ("2026-11-02T09:06:00Z", stable("staging-api", 11)),
        ])
        // D2: api production, released, 20 minutes: over the 15-minute mark.
        try await deploy(store, "2", "api", "production", "rel-2026.11.02", .release, metadata(ana, run(2), "c1", "2026-11-02T08:30:00Z"), at: "2026-11-02T10:00:00Z", [
            ("2026-11-02T10:20:00Z", stable("production-api", 1)),
        ])
        // D3: ECS's circuit breaker rolls back; the deployment then fails.
        let ben = EventMetadata(actor: "ben")
        try await deploy(store, "3", "api", "production", "rel-2026.11.03", .release, metadata(ben, run(3), "c2", "2026-11-03T09:00:00Z"), at: "2026-11-03T10:00:00Z", [
            ("2026-11-03T10:08:00Z", NewEvent(stream: "deployment-3", RolledBackAutomatically(taskDefinitionArn: Self.arn("production-api", 1), revision: 1))),
            ("2026-11-03T10:09:00Z", NewEvent(stream: "deployment-3", DeploymentFailed(stage: "stabilize", reason: "tasks failed their health checks"))),
        ])
        // D4: the fix, 91 minutes after the failure.
        try await deploy(store, "4", "api", "production", "rel-2026.11.03b", .release, metadata(ben, run(4), "c3", "2026-11-03T11:00:00Z"), at: "2026-11-03T11:30:00Z", [
            ("2026-11-03T11:40:00Z", stable("production-api", 3)),
        ])
        try await build(store, at: "2026-11-04T09:10:00Z", image: "ghcr.io/wordpress/openverse-api", tag: "c4")
        // D5: succeeds, but is rolled back by hand (D6): a change failure.
        let cara = EventMetadata(actor: "cara")
        try await deploy(store, "5", "api", "production", "rel-2026.11.04", .release, metadata(cara, run(5), "c4", "2026-11-04T09:00:00Z"), at: "2026-11-04T09:30:00Z", [
            ("2026-11-04T09:38:00Z", stable("production-api", 4)),
        ])
        try await deploy(store, "6", "api", "production", "rel-2026.11.03b", .rollback, metadata(ana, run(6), nil, nil), at: "2026-11-04T12:00:00Z", [
            ("2026-11-04T12:05:00Z", stable("production-api", 3)),
        ])
        // D7: frontend staging times out after 15m30s.
        try await deploy(store, "7", "frontend", "staging", "f1", .merge, metadata(cara, run(7), "f1", "2026-11-05T08:00:00Z"), at: "2026-11-05T09:00:00Z", [
            ("2026-11-05T09:15:30Z", NewEvent(stream: "deployment-7", DeploymentTimedOut(timeoutSeconds: 900))),
        ])
        // D8: still running when the report is made.
        try await deploy(store, "8", "frontend", "staging", "f2", .merge, metadata(cara, run(8), "f2", "2026-11-05T09:30:00Z"), at: "2026-11-05T10:00:00Z", [])
        // D9, D10: the second week; a failure at registration, then a success.
        try await deploy(store, "9", "frontend", "production", "rel-2026.11.10", .release, metadata(ana, run(9), "f3", "2026-11-09T08:00:00Z"), at: "2026-11-10T09:00:00Z", [
            ("2026-11-10T09:02:00Z", NewEvent(stream: "deployment-9", DeploymentFailed(stage: "register", reason: "AccessDeniedException: not authorized to perform ecs:RegisterTaskDefinition"))),
        ])
        try await deploy(store, "10", "frontend", "production", "rel-2026.11.10b", .release, metadata(ana, run(10), "f4", "2026-11-10T10:00:00Z"), at: "2026-11-10T10:30:00Z", [
            ("2026-11-10T10:42:00Z", stable("production-nuxt", 8)),
        ])
    }

    private func metadata(_ base: EventMetadata, _ source: String, _ commit: String?, _ committedAt: String?) -> EventMetadata {
        var metadata = base
        metadata.source = source
        metadata.commit = commit
        metadata.committedAt = committedAt
        metadata.authMethod = "github-actions"
        return metadata
    }

    private func stable(_ family: String, _ revision: Int) -> NewEvent {
        NewEvent(stream: "", DeploymentStable(taskDefinitionArn: Self.arn(family, revision), revision: revision))
    }

    private mutating func nextID() -> UUID {
        sequence += 1
        return UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", sequence))!
    }

    private mutating func build(_ store: EventStore, at time: String, image: String, tag: String) async throws {
        clock.set(time)
        _ = try await store.append([NewEvent(id: nextID(), stream: "build-\(tag)", ImageBuilt(image: image, tag: tag), metadata: EventMetadata(actor: "github-actions[bot]"))])
    }

    /// Records a request with its verification and registration at `time`, then each later step at its own time.
    private mutating func deploy(
        _ store: EventStore, _ number: String, _ app: String, _ environment: String, _ tag: String, _ trigger: DeploymentTrigger,
        _ metadata: EventMetadata, at time: String, _ steps: [(String, NewEvent)]
    ) async throws {
        let stream = "deployment-\(number)", family = "\(environment)-\(app == "frontend" ? "nuxt" : app)"
        clock.set(time)
        var opening = [
            NewEvent(stream: stream, DeploymentRequested(app: app, environment: environment, tag: tag, trigger: trigger), metadata: metadata),
            NewEvent(stream: stream, ImageVerified(image: "ghcr.io/wordpress/openverse-\(app)", tag: tag), metadata: metadata),
            NewEvent(stream: stream, TaskDefinitionRegistered(taskDefinitionArn: Self.arn(family, 100 + (Int(number) ?? 0)), family: family, revision: 100 + (Int(number) ?? 0)), metadata: metadata),
        ]
        for index in opening.indices { opening[index].id = nextID() }
        _ = try await store.append(opening, expectedVersion: .noStream)
        for (at, step) in steps {
            clock.set(at)
            var event = step
            event.stream = stream
            event.id = nextID()
            event.metadata = metadata
            _ = try await store.append([event])
        }
    }
}
