import Clocks
import Foundation
import Ledger
import NIOHTTP1
import Notifications
import Synchronization
import TestSupport

/// A receiver on loopback that refuses the first `failing` requests of each delivery id with
/// 503, then accepts, keeping everything it was sent.
final class Receiver: Sendable {
    let server: LoopbackHTTPServer
    private let log: RequestLog

    var url: String { server.baseURL + "/hook" }
    var requests: [ReceivedRequest] { log.requests.withLock { $0 } }
    /// Delivery ids of the requests it accepted, in order.
    var accepted: [String] { requests.filter(\.wasAccepted).compactMap(\.deliveryId) }

    private init(server: LoopbackHTTPServer, log: RequestLog) {
        self.server = server
        self.log = log
    }

    static func start(failing: Int = 0) async throws -> Receiver {
        let log = RequestLog()
        let server = try await LoopbackHTTPServer.start { request in
            log.requests.withLock { requests in
                let earlier = requests.filter { $0.deliveryId == request.deliveryId }.count
                var kept = request
                kept.headers.add(name: "X-Test-Accepted", value: earlier >= failing ? "yes" : "no")
                requests.append(kept)
                return CannedResponse(status: earlier >= failing ? .ok : .serviceUnavailable, body: earlier >= failing ? "ok" : "try later")
            }
        }
        return Receiver(server: server, log: log)
    }

    func stop() async throws { try await server.stop() }
}

private final class RequestLog: Sendable {
    let requests = Mutex<[ReceivedRequest]>([])
}

extension ReceivedRequest {
    /// The id a receiver deduplicates by, whichever kind of sink sent it.
    var deliveryId: String? {
        if let header = headers.first(name: "X-Shiplog-Delivery") { return header }
        return (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["id"] as? String
    }

    var wasAccepted: Bool { headers.first(name: "X-Test-Accepted") == "yes" }

    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]) ?? [:] }
}

/// Wall time for records, and sleeps that return at once but are remembered: backoff is
/// checked without waiting for it.
final class InstantClock: ShiplogClock {
    let waits = Mutex<[Duration]>([])

    var now: Date { Date() }

    func sleep(for duration: Duration) async throws {
        waits.withLock { $0.append(duration) }
    }
}

/// A fresh ledger, and the deployments the tests notify of.
struct TestLedger: Sendable {
    let directory = TemporaryDirectory()
    let store: EventStore

    init() throws {
        store = try EventStore(path: directory.path("ledger.sqlite"), access: .readWrite(create: true))
    }

    static let runURL = "https://github.com/WordPress/openverse/actions/runs/7001"

    /// A deployment that `openverse-bot` ran for `ana` from a workflow run, and how it ended.
    @discardableResult
    func deployment(app: String = "api", environment: String = "staging", tag: String = "rel-2026.11.02.09.00.00",
                    trigger: DeploymentTrigger = .release, ending: [any EventPayload]) async throws -> String {
        let stream = "deployment-\(UUID().uuidString.lowercased())"
        let metadata = EventMetadata(actor: "openverse-bot", onBehalfOf: "ana", source: Self.runURL)
        var events = [NewEvent(stream: stream, DeploymentRequested(app: app, environment: environment, tag: tag, trigger: trigger), metadata: metadata)]
        for payload in ending { events.append(Self.event(stream, payload, metadata)) }
        _ = try await store.append(events)
        return stream
    }

    private static func event<Payload: EventPayload>(_ stream: String, _ payload: Payload, _ metadata: EventMetadata) -> NewEvent {
        NewEvent(stream: stream, payload, metadata: metadata)
    }

    static let failed: [any EventPayload] = [DeploymentFailed(stage: "stabilize", reason: "tasks failed to start")]
    static let rolledBack: [any EventPayload] = [
        RolledBackAutomatically(taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api:11", revision: 11),
        DeploymentFailed(stage: "stabilize", reason: "the circuit breaker rolled the service back"),
    ]
    static let stable: [any EventPayload] = [DeploymentStable(taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api:12", revision: 12)]

    /// The recorded outcomes of notifications, oldest first.
    func outcomes() throws -> [RecordedEvent] {
        try store.events().filter { $0.type == NotificationDelivered.eventType || $0.type == NotificationFailed.eventType }
    }

    func delivered() throws -> [NotificationDelivered] {
        try outcomes().filter { $0.type == NotificationDelivered.eventType }.map { try NotificationDelivered.decode(from: $0.data) }
    }

    func failed() throws -> [NotificationFailed] {
        try outcomes().filter { $0.type == NotificationFailed.eventType }.map { try NotificationFailed.decode(from: $0.data) }
    }

    /// Subscribes `sinks` from the start of the log, as if they had been configured before it began.
    func subscribeFromStart(_ sinks: [NotificationSink]) async throws {
        for sink in sinks { try await store.saveNotificationPosition(sink: sink.name, position: 0, now: Date()) }
    }
}
