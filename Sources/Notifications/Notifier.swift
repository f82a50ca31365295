import Clocks
import Foundation
import Ledger
import Logging

/// Delivers notifications of the log's events to the configured sinks: one subscription per
/// sink, whose position in the log is kept in the database.
///
/// A sink's subscription reads the events after its position, and for each one the sink wants
/// sends one notification, retried with exponential backoff up to the settings' attempts. Every
/// attempt's outcome is an event in the stream `notification-<delivery id>`:
/// `NotificationFailed` for each failed attempt (the last with `gave_up`), `NotificationDelivered`
/// once. Those events are appended with an expected version, so the ledger records a delivery
/// once even with two notifiers on one ledger; a restart reads them and neither repeats a
/// concluded delivery nor restarts its attempt count. Only a process killed between a receiver's
/// answer and the record of it sends that notification again, under the same delivery id, which
/// the receiver deduplicates by.
///
/// A new sink starts at the head of the log: it is told of what happens from then on, not of
/// the ledger's past. Sinks do not wait for each other: a dead receiver holds up only its own.
///
/// ```swift
/// let notifier = Notifier(store: store, settings: configuration.notify)
/// try await notifier.deliverPending()
/// ```
public struct Notifier: Sendable {
    /// What the notifier did, for a command to print.
    public enum Report: Sendable, Equatable {
        /// A sink's subscription began, at this position.
        case subscribed(sink: String, position: Int64)
        case delivered(NotificationDelivered)
        case failed(NotificationFailed)
        /// Another process delivers (it holds the lease until then); this one waits.
        case waitingForLease(holder: String, until: String)
        /// The ledger refuses this process's writes (a replicated service that lost its lease):
        /// nothing is delivered while it does; said once, when it begins.
        case fenced(String)
    }

    /// Another process holds the notifier's lease: it delivers, and this one must not.
    public struct Busy: Error, CustomStringConvertible {
        public var holder: String
        public var until: String
        public var description: String {
            "notifications are being delivered by \(holder) (its lease runs until \(until)); nothing was sent"
        }
    }

    /// The lease one delivering process holds at a time, so the service's notifier and a
    /// `shiplog notify` beside it never both send (and record) the same notification.
    public static let leaseName = "notifier"

    public let store: EventStore
    public let settings: NotificationSettings
    public var transport: any NotificationTransport
    /// What backoff and polling wait on.
    public var clock: any ShiplogClock
    /// Where secrets are read, at each attempt (a rotated secret is picked up).
    public var environment: @Sendable () -> [String: String]
    /// How often ``run()`` looks for new events.
    public var pollInterval: Duration = .seconds(1)
    public var batchSize = 200
    public var report: @Sendable (Report) -> Void = { _ in }
    public var logger = Logger(label: "shiplog.notify")
    /// Who holds the lease while delivering (`pid@host`).
    public var holder = "\(getpid())@\(ProcessInfo.processInfo.hostName)"
    /// How long a lease lasts unrenewed: a process that died is taken over after this.
    public var leaseDuration: Duration = .seconds(30)
    /// Lease times are wall-clock times: leases are about real processes, whatever clock
    /// backoff runs on.
    public var leaseNow: @Sendable () -> Date = { Date() }

    public init(
        store: EventStore, settings: NotificationSettings, transport: any NotificationTransport = HTTPNotificationTransport(),
        clock: any ShiplogClock = SystemClock(), environment: @escaping @Sendable () -> [String: String] = { ProcessInfo.processInfo.environment }
    ) {
        self.store = store
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.environment = environment
    }

    /// Who the ledger says recorded each outcome.
    static let metadata = EventMetadata(actor: "shiplog-notifier", authMethod: "service")

    /// Delivers, to every sink, what the log holds up to its head now; returns when each sink has
    /// concluded those deliveries (delivered, or given up after its attempts).
    ///
    /// - Throws: ``Busy`` when another process holds the lease: it delivers.
    public func deliverPending() async throws {
        guard try await takeLease() else {
            let current = try store.leaseHolder(Self.leaseName, now: leaseNow())
            throw Busy(holder: current?.holder ?? "another process", until: current?.expiresAt ?? "soon")
        }
        try await holdingLease {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sink in settings.sinks {
                    group.addTask { try await catchUp(sink) }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Delivers until cancelled, looking for new events every ``pollInterval``. A sink whose
    /// delivery fails with a storage error is retried at the next interval.
    ///
    /// Delivers only while it holds the lease; otherwise waits for it, reporting who holds it.
    public func run() async throws {
        var waitingFor: String?
        var fenced = false
        while true {
            try Task.checkCancellation()
            let leased: Bool
            do {
                leased = try await takeLease()
                fenced = false
            } catch let error as LedgerError where error.code == .fenced {
                if !fenced { report(.fenced(error.message)) }
                fenced = true
                try await Task.sleep(for: min(pollInterval, leaseDuration / 3))
                continue
            }
            if leased {
                waitingFor = nil
                // Delivering ends only when the lease is lost (a stall longer than the lease
                // let another process take over) or the task is cancelled.
                try? await holdingLease { try await deliverAll() }
                try Task.checkCancellation()
            } else if let current = try store.leaseHolder(Self.leaseName, now: leaseNow()), current.holder != waitingFor {
                waitingFor = current.holder
                report(.waitingForLease(holder: current.holder, until: current.expiresAt))
            }
            try await Task.sleep(for: min(pollInterval, leaseDuration / 3))
        }
    }

    /// Takes or renews the lease; one held by a process of this host that is gone (killed, say)
    /// is taken over at once rather than when it runs out.
    private func takeLease() async throws -> Bool {
        let seconds = Self.seconds(leaseDuration)
        if try await store.acquireLease(Self.leaseName, holder: holder, now: leaseNow(), duration: seconds) { return true }
        guard let current = try store.leaseHolder(Self.leaseName, now: leaseNow()), Self.isGone(current.holder) else { return false }
        try await store.releaseLease(Self.leaseName, holder: current.holder)
        return try await store.acquireLease(Self.leaseName, holder: holder, now: leaseNow(), duration: seconds)
    }

    /// Whether `holder` (`pid@host`) names a process of this host that no longer runs.
    static func isGone(_ holder: String) -> Bool {
        let parts = holder.split(separator: "@", maxSplits: 1)
        guard parts.count == 2, let pid = Int32(parts[0]), parts[1] == ProcessInfo.processInfo.hostName else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Runs `work` while renewing the lease every third of its duration; `work` is cancelled
    /// when a renewal finds the lease taken. The lease is given up when `work` ends, before
    /// this returns (a process that exits next must not leave it to run out).
    private func holdingLease(_ work: @escaping @Sendable () async throws -> Void) async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    while true {
                        try await Task.sleep(for: leaseDuration / 3)
                        guard try await takeLease() else { throw LeaseLost() }
                    }
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            try? await store.releaseLease(Self.leaseName, holder: holder)
            throw error
        }
        try await store.releaseLease(Self.leaseName, holder: holder)
    }

    private struct LeaseLost: Error {}

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// Every sink's deliveries, each looking for new events every ``pollInterval``.
    private func deliverAll() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sink in settings.sinks {
                group.addTask {
                    while true {
                        do {
                            try await catchUp(sink)
                        } catch is CancellationError {
                            throw CancellationError()
                        } catch {
                            logger.error("notifications stalled", metadata: ["notify.sink": "\(sink.name)", "error": "\(error)"])
                        }
                        try await clock.sleep(for: pollInterval)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Routes the events after `sink`'s position, up to the head as it is now, and moves the position on.
    func catchUp(_ sink: NotificationSink) async throws {
        let name = sink.name
        let (stored, head) = try await store.reading { store in (try store.notificationPosition(sink: name), try store.head()?.position ?? 0) }
        guard var position = stored else {
            try await store.saveNotificationPosition(sink: name, position: head, now: clock.now)
            report(.subscribed(sink: name, position: head))
            return
        }
        while position < head {
            try Task.checkCancellation()
            let after = position, limit = batchSize
            let events = try await store.reading { store in try store.events(EventFilter(after: after, through: head, limit: limit)) }
            guard !events.isEmpty else { break }
            for event in events {
                // The type alone rules most events out, before the deployment is read.
                let notice = sink.events.contains(event.type) ? try await store.reading { store in try Notice.make(event, store: store) } : nil
                if let notice, sink.matches(notice) {
                    try await deliver(notice, to: sink)
                    try await store.saveNotificationPosition(sink: name, position: event.position, now: clock.now)
                }
                position = event.position
            }
            try await store.saveNotificationPosition(sink: name, position: position, now: clock.now)
        }
    }

    /// Sends `notice` to `sink` until it is delivered or given up, recording every attempt.
    func deliver(_ notice: Notice, to sink: NotificationSink) async throws {
        let deliveryId = OutgoingNotification.deliveryID(eventId: notice.event.id, sink: sink.name)
        let stream = "notification-\(deliveryId)"
        let history = try await store.reading { store in try store.events(EventFilter(stream: stream)) }
        if history.contains(where: Self.concludes) { return }
        var version = history.last?.version ?? 0
        var attempt = history.count + 1
        while true {
            let outcome: AttemptResult
            switch Result(catching: { try render(notice, for: sink, deliveryId: deliveryId) }) {
            case .success(let request):
                outcome = await transport.send(request)
            case .failure(let error as MissingSecret):
                outcome = .noAnswer("not sent: \(error.variable) holds \(error.what)")
            case .failure(let error):
                // Rendering again would fail again: give up at once.
                try await record(notice, sink, deliveryId, .noAnswer("not sent: \(error)"), attempt: attempt, gaveUp: true, after: version)
                return
            }
            let gaveUp = !outcome.isSuccess && attempt >= settings.maxAttempts
            guard try await record(notice, sink, deliveryId, outcome, attempt: attempt, gaveUp: gaveUp, after: version) else { return }
            if outcome.isSuccess || gaveUp { return }
            version += 1
            try await clock.sleep(for: settings.backoff(after: attempt))
            attempt += 1
        }
    }

    /// The request for `notice` to `sink`, signed where the sink wants it.
    private func render(_ notice: Notice, for sink: NotificationSink, deliveryId: String) throws -> OutgoingNotification {
        var rendered = try renderBody(notice, for: sink, deliveryId: deliveryId)
        if let variable = sink.urlVariable {
            guard let value = environment()[variable], let url = URL(string: value), ["http", "https"].contains(url.scheme),
                  url.host?.isEmpty == false else {
                throw MissingSecret(variable: variable, what: "an http(s) URL to send to")
            }
            rendered.url = value
        }
        return rendered
    }

    private func renderBody(_ notice: Notice, for sink: NotificationSink, deliveryId: String) throws -> OutgoingNotification {
        switch sink.kind {
        case .slack:
            return try SlackMessage.render(notice, sink: sink, deliveryId: deliveryId)
        case .cdevents:
            return try CDEvent.render(notice, sink: sink, deliveryId: deliveryId)
        case .webhook:
            var secret: String?
            if let variable = sink.secretVariable {
                guard let value = environment()[variable], !value.isEmpty else { throw MissingSecret(variable: variable) }
                secret = value
            }
            return try WebhookMessage.render(notice, sink: sink, deliveryId: deliveryId, secret: secret)
        }
    }

    private struct MissingSecret: Error {
        let variable: String
        var what = "no secret to sign it with"
    }

    /// Appends the attempt's outcome after `version` of the delivery's stream.
    ///
    /// - Returns: false when another notifier recorded this delivery meanwhile: it is theirs to finish.
    @discardableResult
    private func record(
        _ notice: Notice, _ sink: NotificationSink, _ deliveryId: String, _ outcome: AttemptResult, attempt: Int, gaveUp: Bool, after version: Int64
    ) async throws -> Bool {
        let stream = "notification-\(deliveryId)"
        var metadata = Self.metadata
        metadata.causationID = notice.event.id
        let event: NewEvent
        let reported: Report
        switch outcome {
        case .answered(let status) where outcome.isSuccess:
            let payload = NotificationDelivered(
                deliveryId: deliveryId, sink: sink.name, eventId: notice.event.id, eventPosition: notice.event.position,
                notifiedType: notice.eventType, status: status, attempt: attempt)
            event = NewEvent(stream: stream, payload, metadata: metadata)
            reported = .delivered(payload)
        case .answered(let status):
            let payload = NotificationFailed(
                deliveryId: deliveryId, sink: sink.name, eventId: notice.event.id, eventPosition: notice.event.position,
                notifiedType: notice.eventType, status: status, reason: "HTTP \(status)", attempt: attempt, gaveUp: gaveUp)
            event = NewEvent(stream: stream, payload, metadata: metadata)
            reported = .failed(payload)
        case .noAnswer(let reason):
            let payload = NotificationFailed(
                deliveryId: deliveryId, sink: sink.name, eventId: notice.event.id, eventPosition: notice.event.position,
                notifiedType: notice.eventType, status: nil, reason: reason, attempt: attempt, gaveUp: gaveUp)
            event = NewEvent(stream: stream, payload, metadata: metadata)
            reported = .failed(payload)
        }
        do {
            _ = try await store.append([event], expectedVersion: version == 0 ? .noStream : .exactly(version))
        } catch let error as LedgerError where error.code == .wrongExpectedVersion {
            return false
        }
        logger.debug("notification attempt", metadata: ["notify.sink": "\(sink.name)", "notify.delivery": "\(deliveryId)", "notify.attempt": "\(attempt)"])
        report(reported)
        return true
    }

    /// Whether a recorded attempt ends its delivery.
    private static func concludes(_ event: RecordedEvent) -> Bool {
        if event.type == NotificationDelivered.eventType { return true }
        guard event.type == NotificationFailed.eventType, let failed = try? NotificationFailed.decode(from: event.data) else { return false }
        return failed.gaveUp
    }
}
