import Crypto
import Foundation
import Ledger
import NIOCore
import NIOHTTP1
import Notifications
import Synchronization
import TestSupport
import Testing

@Suite struct NotifierTests {
    private func notifier(_ ledger: TestLedger, _ sinks: [NotificationSink], attempts: Int = 4, clock: InstantClock = InstantClock(),
                          environment: [String: String] = [:], timeout: Int64 = 10) -> Notifier {
        Notifier(
            store: ledger.store, settings: NotificationSettings(sinks: sinks, maxAttempts: attempts, backoff: .seconds(1)),
            transport: HTTPNotificationTransport(timeout: .seconds(timeout)), clock: clock, environment: { environment })
    }

    @Test(arguments: NotificationSink.Kind.allCases)
    func aSinkThatFailsTwiceGetsTheNotificationOnceAndTheFailuresAreRecordedAsAttempts(kind: NotificationSink.Kind) async throws {
        let ledger = try TestLedger()
        let receiver = try await Receiver.start(failing: 2)
        var sink = NotificationSink(name: "audit", kind: kind, url: receiver.url)
        sink.secretVariable = "HOOK_SECRET"
        try await ledger.subscribeFromStart([sink])
        try await ledger.deployment(ending: TestLedger.failed)
        let clock = InstantClock()

        try await notifier(ledger, [sink], clock: clock, environment: ["HOOK_SECRET": "s3cret"]).deliverPending()

        let requests = receiver.requests
        #expect(requests.count == 3)
        #expect(Set(requests.compactMap(\.deliveryId)).count == 1)
        #expect(receiver.accepted.count == 1)
        let failed = try ledger.failed(), delivered = try ledger.delivered()
        #expect(failed.map(\.attempt) == [1, 2])
        #expect(failed.map(\.status) == [503, 503])
        #expect(failed.allSatisfy { !$0.gaveUp })
        #expect(delivered.count == 1)
        #expect(delivered.first?.attempt == 3)
        #expect(delivered.first?.status == 200)
        #expect(delivered.first?.notifiedType == "DeploymentFailed")
        #expect(delivered.first?.deliveryId == requests.first?.deliveryId)
        #expect(clock.waits.withLock { $0 } == [.seconds(1), .seconds(2)])
        try await receiver.stop()
    }

    @Test func theWebhookSignatureVerifiesWithTheSecret() async throws {
        let ledger = try TestLedger()
        let receiver = try await Receiver.start()
        var sink = NotificationSink(name: "audit", kind: .webhook, url: receiver.url)
        sink.secretVariable = "HOOK_SECRET"
        try await ledger.subscribeFromStart([sink])
        let deployment = try await ledger.deployment(ending: TestLedger.rolledBack)

        try await notifier(ledger, [sink], environment: ["HOOK_SECRET": "s3cret"]).deliverPending()

        let requests = receiver.requests
        #expect(requests.map { $0.headers.first(name: "X-Shiplog-Event") } == ["RolledBackAutomatically", "DeploymentFailed"])
        for request in requests {
            let expected = HMAC<SHA256>.authenticationCode(for: Data(request.body.utf8), using: SymmetricKey(data: Data("s3cret".utf8)))
            #expect(request.headers.first(name: "X-Shiplog-Signature-256") == "sha256=" + Data(expected).map { String(format: "%02x", $0) }.joined())
            let wrong = HMAC<SHA256>.authenticationCode(for: Data(request.body.utf8), using: SymmetricKey(data: Data("other".utf8)))
            #expect(request.headers.first(name: "X-Shiplog-Signature-256") != "sha256=" + Data(wrong).map { String(format: "%02x", $0) }.joined())
        }
        let body = try #require(requests.first).json
        #expect(body["app"] as? String == "api")
        #expect(body["environment"] as? String == "staging")
        #expect(body["tag"] as? String == "rel-2026.11.02.09.00.00")
        #expect(body["actor"] as? String == "ana")
        #expect(body["run_url"] as? String == TestLedger.runURL)
        #expect(body["deployment_id"] as? String == deployment)
        #expect(body["rollback_target"] as? String == "arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api:11")
        #expect((body["event"] as? [String: Any])?["type"] as? String == "RolledBackAutomatically")
        try await receiver.stop()
    }

    @Test func aWebhookWhoseSecretIsMissingIsNotSentUnsigned() async throws {
        let ledger = try TestLedger()
        let receiver = try await Receiver.start()
        var sink = NotificationSink(name: "audit", kind: .webhook, url: receiver.url)
        sink.secretVariable = "HOOK_SECRET"
        try await ledger.subscribeFromStart([sink])
        try await ledger.deployment(ending: TestLedger.failed)

        try await notifier(ledger, [sink], attempts: 2).deliverPending()

        #expect(receiver.requests.isEmpty)
        #expect(try ledger.failed().map(\.reason) == Array(repeating: "not sent: HOOK_SECRET holds no secret to sign it with", count: 2))
        #expect(try ledger.failed().last?.gaveUp == true)
        try await receiver.stop()
    }

    /// A Slack webhook's URL is its credential: `url_env` keeps it out of the file, read at each attempt.
    @Test func aSinkWhoseURLIsInTheEnvironmentSendsThereAndNothingWhileItIsUnset() async throws {
        let ledger = try TestLedger()
        let receiver = try await Receiver.start()
        var sink = NotificationSink(name: "maintainers", kind: .slack, url: "")
        sink.urlVariable = "SLACK_WEBHOOK_URL"
        try await ledger.subscribeFromStart([sink])
        try await ledger.deployment(ending: TestLedger.failed)

        try await notifier(ledger, [sink], attempts: 2).deliverPending()
        #expect(receiver.requests.isEmpty)
        #expect(try ledger.failed().map(\.reason) == Array(repeating: "not sent: SLACK_WEBHOOK_URL holds an http(s) URL to send to", count: 2))

        try await ledger.deployment(ending: TestLedger.failed)
        try await notifier(ledger, [sink], environment: ["SLACK_WEBHOOK_URL": receiver.url]).deliverPending()
        #expect(receiver.requests.count == 1)
        #expect((receiver.requests.first?.json["text"] as? String)?.contains("failed at") == true)
        try await receiver.stop()
    }

    @Test func aReceiverDownForGoodEndsInAGivenUpNotificationAndTheSubscriptionMovesOn() async throws {
        let ledger = try TestLedger()
        // Port 9 (discard) is privileged: no test's server can be listening there, as one could on
        // the port of a receiver stopped for the purpose.
        let sink = NotificationSink(name: "team", kind: .slack, url: "http://127.0.0.1:9/hooks")
        try await ledger.subscribeFromStart([sink])
        try await ledger.deployment(ending: TestLedger.failed)
        let head = try ledger.store.head()?.position

        // A refused connection is retried by the HTTP client until the timeout: keep it short.
        try await notifier(ledger, [sink], attempts: 3, timeout: 1).deliverPending()

        let failed = try ledger.failed()
        #expect(failed.map(\.attempt) == [1, 2, 3])
        #expect(failed.map(\.gaveUp) == [false, false, true])
        #expect(failed.allSatisfy { $0.status == nil })
        #expect(try ledger.delivered().isEmpty)
        #expect(try ledger.store.notificationPosition(sink: "team") == head)
        // Given up is concluded: running again sends nothing and records nothing.
        let before = try ledger.outcomes().count
        try await notifier(ledger, [sink], attempts: 3, timeout: 1).deliverPending()
        #expect(try ledger.outcomes().count == before)
    }

    @Test func filtersPickTheEventTypesAppsAndEnvironments() async throws {
        let ledger = try TestLedger()
        let receiver = try await Receiver.start()
        var production = NotificationSink(name: "production", kind: .webhook, url: receiver.url)
        production.environments = ["production"]
        var frontend = NotificationSink(name: "frontend", kind: .webhook, url: receiver.url, events: ["DeploymentStable"])
        frontend.apps = ["frontend"]
        let everything = NotificationSink(name: "defaults", kind: .webhook, url: receiver.url)
        let sinks = [production, frontend, everything]
        try await ledger.subscribeFromStart(sinks)
        try await ledger.deployment(app: "api", environment: "staging", ending: TestLedger.failed)
        try await ledger.deployment(app: "api", environment: "production", ending: TestLedger.failed)
        try await ledger.deployment(app: "frontend", environment: "production", ending: TestLedger.stable)
        try await ledger.deployment(app: "api", environment: "production", ending: TestLedger.stable)

        try await notifier(ledger, sinks).deliverPending()

        let delivered = try ledger.delivered()
        #expect(delivered.filter { $0.sink == "production" }.map(\.notifiedType) == ["DeploymentFailed"])
        #expect(delivered.filter { $0.sink == "frontend" }.map(\.notifiedType) == ["DeploymentStable"])
        #expect(delivered.filter { $0.sink == "defaults" }.map(\.notifiedType) == ["DeploymentFailed", "DeploymentFailed"])
        #expect(delivered.count == receiver.accepted.count)
        try await receiver.stop()
    }

    @Test func slackMentionsThePersonAndLinksTheRunAndTheDeployment() async throws {
        let ledger = try TestLedger()
        let receiver = try await Receiver.start()
        var sink = NotificationSink(name: "maintainers", kind: .slack, url: receiver.url)
        sink.mentions = ["ana": "U012AB3CD"]
        sink.dashboardURL = "https://shiplog.example.org"
        try await ledger.subscribeFromStart([sink])
        let deployment = try await ledger.deployment(ending: TestLedger.rolledBack)

        try await notifier(ledger, [sink]).deliverPending()

        let texts = receiver.requests.map { $0.json["text"] as? String ?? "" }
        #expect(texts.count == 2)
        let rollback = try #require(texts.first)
        #expect(rollback.contains("*api* · *staging*: rolled back automatically"))
        #expect(rollback.contains("*By:* <@U012AB3CD>"))
        #expect(rollback.contains("*Tag:* `rel-2026.11.02.09.00.00`"))
        #expect(rollback.contains("*Rolled back to:* `arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api:11`"))
        #expect(rollback.contains("<\(TestLedger.runURL)|Workflow run>"))
        #expect(rollback.contains("<https://shiplog.example.org/deployments/\(deployment)|Deployment>"))
        #expect(texts[1].contains("failed at stabilize"))
        #expect(texts[1].contains("*Reason:* the circuit breaker rolled the service back"))
        let blocks = try #require(receiver.requests.first?.json["blocks"] as? [[String: Any]])
        #expect((blocks.first?["text"] as? [String: Any])?["type"] as? String == "mrkdwn")
        try await receiver.stop()
    }

    @Test func aRestartNeitherLosesNorRepeatsAndResumesTheAttemptCount() async throws {
        let ledger = try TestLedger()
        let receiver = try await Receiver.start(failing: 1)
        let sink = NotificationSink(name: "audit", kind: .webhook, url: receiver.url)
        try await ledger.subscribeFromStart([sink])
        let stream = try await ledger.deployment(ending: TestLedger.failed)
        let failedEvent = try #require(try ledger.store.events(EventFilter(stream: stream)).last)
        let deliveryId = OutgoingNotification.deliveryID(eventId: failedEvent.id, sink: "audit")
        // A process that died after recording one failed attempt, before finishing.
        _ = try await ledger.store.append([NewEvent(stream: "notification-\(deliveryId)", NotificationFailed(
            deliveryId: deliveryId, sink: "audit", eventId: failedEvent.id, eventPosition: failedEvent.position, notifiedType: "DeploymentFailed",
            status: 503, reason: "HTTP 503", attempt: 1, gaveUp: false))])
        try await ledger.deployment(ending: TestLedger.failed)

        try await notifier(ledger, [sink]).deliverPending()
        try await notifier(ledger, [sink]).deliverPending()

        let delivered = try ledger.delivered()
        #expect(delivered.count == 2)
        #expect(Set(delivered.map(\.deliveryId)).count == 2)
        #expect(delivered.first { $0.deliveryId == deliveryId }?.attempt == 3)
        #expect(Set(receiver.accepted) == Set(delivered.map(\.deliveryId)))
        #expect(receiver.accepted.count == 2)
        try await receiver.stop()
    }

    @Test func aNewSinkStartsAtTheHeadAndNotificationsNeverNotify() async throws {
        let ledger = try TestLedger()
        let receiver = try await Receiver.start()
        let sink = NotificationSink(name: "audit", kind: .webhook, url: receiver.url, events: Notice.notifiableTypes)
        try await ledger.deployment(ending: TestLedger.failed)

        try await notifier(ledger, [sink]).deliverPending()
        #expect(receiver.requests.isEmpty)
        #expect(try ledger.store.notificationPosition(sink: "audit") == 2)

        try await ledger.deployment(ending: TestLedger.failed)
        try await notifier(ledger, [sink]).deliverPending()
        try await notifier(ledger, [sink]).deliverPending()
        #expect(receiver.requests.map { $0.headers.first(name: "X-Shiplog-Event") } == ["DeploymentRequested", "DeploymentFailed"])
        #expect(!Notice.notifiableTypes.contains("NotificationDelivered"))
        #expect(!Notice.notifiableTypes.contains("NotificationFailed"))
        try await receiver.stop()
    }

    @Test func theDeliveryIdIsStablePerEventAndSink() {
        let id = OutgoingNotification.deliveryID(eventId: "e1", sink: "a")
        #expect(id == OutgoingNotification.deliveryID(eventId: "e1", sink: "a"))
        #expect(id != OutgoingNotification.deliveryID(eventId: "e1", sink: "b"))
        #expect(id != OutgoingNotification.deliveryID(eventId: "e2", sink: "a"))
        #expect(UUID(uuidString: id) != nil)
    }
}
