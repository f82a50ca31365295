import Clocks
import Foundation
import Ledger

/// One deployment at a time per app and environment, and at most one request waiting for it.
///
/// A deployment first appends `DeploymentClaimed` to `environment-<app>-<env>` expecting the
/// stream version it read just before; of two racing deploys the second append is refused by
/// the event store, and that deploy reads again. Never interleaved, never a lock that outlives
/// the ledger: the claim is an event like any other.
///
/// A request that finds the environment held waits, as in a GitHub concurrency group with
/// cancel-in-progress off: one running, one pending, the newest pending wins. It records
/// `DeploymentQueued`; a newer request records the older one `DeploymentSuperseded` in the same
/// append as its own. A holder on another host beats (a lease beside the log, written every
/// ``Queueing/heartbeatInterval``); one silent for longer than ``Queueing/claimTTL`` is recorded
/// `DeploymentClaimExpired` by whoever finds it so. On this host a dead holder is told by its pid.
public struct EnvironmentClaim: Sendable {
    /// The deployment holding an environment.
    public struct Holder: Sendable, Equatable {
        public var deploymentId: String
        public var owner: String
        public var instance: String?
        public var trigger: DeploymentTrigger?
        /// The claim's `recorded_at`.
        public var claimedAt: String
    }

    /// The request waiting for the environment.
    public struct Waiter: Sendable, Equatable {
        public var requestId: String
        public var tag: String
        public var owner: String
    }

    /// How a request that finds the environment held behaves.
    public struct Queueing: Sendable {
        /// Wait for the holder (false: refuse as busy).
        public var wait = true
        /// How long a request waits before it gives up (`--wait-timeout`).
        public var timeout: Duration = .seconds(30 * 60)
        /// How often a waiting request reads the environment again.
        public var pollInterval: Duration = .seconds(2)
        /// How long a holder on another host may stay silent before its claim expires.
        public var claimTTL: Duration = .seconds(120)
        /// How often a holder says it is alive.
        public var heartbeatInterval: Duration = .seconds(15)
        /// Asked at each wait: true gives up as the timeout does (a service shutting down).
        public var stopsWaiting: @Sendable () -> Bool = { false }

        public init() {}
    }

    /// What the environment stream says now.
    struct Reading {
        var holder: Holder?
        var version: Int64
        /// The deployments that ever claimed the environment (a resumed one claims again).
        var deployments: Set<String>
        var waiting: Waiter?
        /// Requests a newer one superseded, by request id.
        var superseded: [String: DeploymentSuperseded] = [:]
    }

    /// A request for the environment: who asks, for what, from which process.
    struct Request {
        var requestId = UUID().uuidString
        var app: String
        var environment: String
        var tag: String
        var trigger: DeploymentTrigger
        var owner: String
        var instance: String
        var metadata: EventMetadata
    }

    let store: EventStore
    /// Heartbeats, their expiry and the wait timeout run on it: the ledger's clock.
    let clock: any ShiplogClock

    public init(store: EventStore, clock: any ShiplogClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    public static func stream(app: String, environment: String) -> String {
        "environment-\(app)-\(environment)"
    }

    /// The lease a holder renews while it deploys; its `expires_at` is the last beat.
    static func heartbeatLease(_ deploymentId: String) -> String {
        "claim-heartbeat-\(deploymentId)"
    }

    /// The deployment holding the environment, if any.
    public func holder(app: String, environment: String) throws -> Holder? {
        try read(app: app, environment: environment).holder
    }

    /// The request waiting for the environment, if any.
    public func waiting(app: String, environment: String) throws -> Waiter? {
        try read(app: app, environment: environment).waiting
    }

    func read(app: String, environment: String) throws -> Reading {
        var reading = Reading(holder: nil, version: 0, deployments: [])
        for event in try store.events(EventFilter(stream: Self.stream(app: app, environment: environment))) {
            reading.version = event.version
            switch event.type {
            case DeploymentClaimed.eventType:
                let claim = try DeploymentClaimed.decode(from: event.data)
                reading.deployments.insert(claim.deploymentId)
                reading.holder = Holder(deploymentId: claim.deploymentId, owner: claim.owner, instance: claim.instance, trigger: claim.trigger,
                                        claimedAt: event.recordedAt)
                if let request = claim.requestId, reading.waiting?.requestId == request { reading.waiting = nil }
            case DeploymentClaimReleased.eventType:
                let release = try DeploymentClaimReleased.decode(from: event.data)
                if reading.holder?.deploymentId == release.deploymentId { reading.holder = nil }
            case DeploymentClaimExpired.eventType:
                let expiry = try DeploymentClaimExpired.decode(from: event.data)
                if reading.holder?.deploymentId == expiry.deploymentId { reading.holder = nil }
            case DeploymentQueued.eventType:
                let queued = try DeploymentQueued.decode(from: event.data)
                reading.waiting = Waiter(requestId: queued.requestId, tag: queued.tag, owner: queued.owner)
            case DeploymentSuperseded.eventType:
                let superseded = try DeploymentSuperseded.decode(from: event.data)
                reading.superseded[superseded.requestId] = superseded
                if reading.waiting?.requestId == superseded.requestId { reading.waiting = nil }
            case DeploymentQueueTimedOut.eventType:
                let gaveUp = try DeploymentQueueTimedOut.decode(from: event.data)
                if reading.waiting?.requestId == gaveUp.requestId { reading.waiting = nil }
            default:
                break
            }
        }
        return reading
    }

    /// Takes the environment for a new deployment and returns its id (`deployment-api-staging-4`),
    /// waiting behind the holder as `queueing` says.
    ///
    /// - Parameters:
    ///   - closeAbandoned: closes the deployment of a holder whose process is gone (dead on this
    ///     host, or its claim just expired), so the environment is free afterwards.
    ///   - waiting: told when the request is queued, naming the holder.
    /// - Throws: ``DeployError/busy(app:environment:inFlight:detail:)`` when not waiting,
    ///   ``DeployError/superseded(app:environment:tag:by:tag:actor:)`` when a newer request took
    ///   this one's place, ``DeployError/waitTimedOut(app:environment:tag:waited:behind:)``.
    func acquire(
        _ request: Request, queueing: Queueing, closeAbandoned: (Holder) async throws -> Void, waiting: (String) -> Void = { _ in }
    ) async throws -> String {
        let stream = Self.stream(app: request.app, environment: request.environment)
        var queuedAt: Date?
        while true {
            let reading = try read(app: request.app, environment: request.environment)
            if let newer = reading.superseded[request.requestId] {
                throw DeployError.superseded(app: request.app, environment: request.environment, tag: request.tag,
                                             by: newer.supersededBy, tag: newer.supersedingTag, actor: newer.supersededByActor)
            }
            let expected: ExpectedVersion = reading.version == 0 ? .noStream : .exactly(reading.version)
            // The newest request wins: one that waits is superseded by this one, whether this one waits too or claims.
            var events: [NewEvent] = []
            if let older = reading.waiting, older.requestId != request.requestId {
                events.append(NewEvent(stream: stream, DeploymentSuperseded(
                    requestId: older.requestId, tag: older.tag, supersededBy: request.requestId, supersedingTag: request.tag,
                    supersededByActor: request.metadata.effectiveActor), metadata: request.metadata))
            }
            if let holder = reading.holder {
                if let lastBeat = try silentSince(holder, ttl: queueing.claimTTL) {
                    let expiry = DeploymentClaimExpired(
                        deploymentId: holder.deploymentId, owner: holder.owner, lastHeartbeat: lastBeat,
                        ttlSeconds: Int(queueing.claimTTL.components.seconds), observedBy: request.owner)
                    guard try await append([NewEvent(stream: stream, expiry, metadata: request.metadata)], expected) else { continue }
                    try await store.releaseLease(Self.heartbeatLease(holder.deploymentId), holder: Self.beater(holder.owner, holder.instance))
                    try await closeAbandoned(holder)
                    continue
                }
                if !ProcessOwner.isAlive(owner: holder.owner, run: holder.instance) {
                    try await closeAbandoned(holder)
                    guard try self.holder(app: request.app, environment: request.environment) != holder else { throw try busy(request.app, request.environment, holder) }
                    continue
                }
                guard queueing.wait, request.trigger != .reconcile else { throw try busy(request.app, request.environment, holder) }
                if let since = queuedAt {
                    let waited = clock.now.timeIntervalSince(since)
                    if waited >= Double(queueing.timeout.components.seconds) || queueing.stopsWaiting() {
                        let gaveUp = DeploymentQueueTimedOut(requestId: request.requestId, waitedSeconds: Int(waited), behind: holder.deploymentId)
                        _ = try await store.append([NewEvent(stream: stream, gaveUp, metadata: request.metadata)])
                        throw DeployError.waitTimedOut(app: request.app, environment: request.environment, tag: request.tag,
                                                       waited: queueing.timeout, behind: holder.deploymentId)
                    }
                } else {
                    let queued = DeploymentQueued(requestId: request.requestId, app: request.app, environment: request.environment, tag: request.tag,
                                                  trigger: request.trigger, behind: holder.deploymentId, owner: request.owner)
                    guard try await append(events + [NewEvent(stream: stream, queued, metadata: request.metadata)], expected) else { continue }
                    queuedAt = clock.now
                    waiting(holder.deploymentId)
                }
                try await Task.sleep(for: queueing.pollInterval)
                continue
            }
            let id = "deployment-\(request.app)-\(request.environment)-\(reading.deployments.count + 1)"
            let claim = DeploymentClaimed(deploymentId: id, app: request.app, environment: request.environment, owner: request.owner,
                                          instance: request.instance, trigger: request.trigger, requestId: queuedAt == nil ? nil : request.requestId)
            guard try await append(events + [NewEvent(stream: stream, claim, metadata: request.metadata)], expected) else { continue }
            try await beat(id, owner: request.owner, instance: request.instance)
            return id
        }
    }

    /// Appends expecting `version`; false when someone appended since the read (read again and decide on what is there now).
    private func append(_ events: [NewEvent], _ version: ExpectedVersion) async throws -> Bool {
        do {
            _ = try await store.append(events, expectedVersion: version)
            return true
        } catch let error as LedgerError where error.code == .wrongExpectedVersion {
            return false
        }
    }

    /// Says the holder of `deploymentId` (`owner`, its run `instance`) is alive now.
    public func beat(_ deploymentId: String, owner: String, instance: String?) async throws {
        // Renewed with no duration, so `expires_at` is the time of the beat; the reader applies the TTL.
        _ = try await store.acquireLease(Self.heartbeatLease(deploymentId), holder: Self.beater(owner, instance), now: clock.now, duration: 0)
    }

    /// When a holder on another host last said it was alive (as stored), if that is longer ago than the TTL.
    private func silentSince(_ holder: Holder, ttl: Duration) throws -> String? {
        guard !ProcessOwner.isOnThisHost(holder.owner) else { return nil }
        var lastBeat = (text: holder.claimedAt, date: Timestamp.date(from: holder.claimedAt) ?? .distantPast)
        if let lease = try store.leaseHolder(Self.heartbeatLease(holder.deploymentId), now: .distantPast),
           lease.holder == Self.beater(holder.owner, holder.instance), let beat = Timestamp.date(from: lease.expiresAt), beat > lastBeat.date {
            lastBeat = (lease.expiresAt, beat)
        }
        return clock.now.timeIntervalSince(lastBeat.date) > Double(ttl.components.seconds) ? lastBeat.text : nil
    }

    private static func beater(_ owner: String, _ instance: String?) -> String {
        "\(owner) \(instance ?? "")"
    }

    /// Claims the environment again for `deploymentId` on behalf of the process resuming it, so
    /// no other process takes the deployment for abandoned meanwhile; of two resuming at once,
    /// the second is refused.
    func takeOver(
        app: String, environment: String, deploymentId: String, trigger: DeploymentTrigger, owner: String, instance: String,
        metadata: EventMetadata
    ) async throws {
        let reading = try read(app: app, environment: environment)
        if let holder = reading.holder, holder.deploymentId != deploymentId { throw try busy(app, environment, holder) }
        let claim = DeploymentClaimed(deploymentId: deploymentId, app: app, environment: environment, owner: owner, instance: instance, trigger: trigger)
        do {
            _ = try await store.append(
                [NewEvent(stream: Self.stream(app: app, environment: environment), claim, metadata: metadata)],
                expectedVersion: reading.version == 0 ? .noStream : .exactly(reading.version))
        } catch let error as LedgerError where error.code == .wrongExpectedVersion {
            throw DeployError.stillRunning(deploymentId, owner: "another process that is resuming it")
        }
        try await beat(deploymentId, owner: owner, instance: instance)
    }

    /// Lets the next deployment go; does nothing when `deploymentId` no longer holds the environment.
    func release(app: String, environment: String, deploymentId: String, outcome: ClaimOutcome, metadata: EventMetadata) async throws {
        guard let holder = try holder(app: app, environment: environment), holder.deploymentId == deploymentId else { return }
        try await store.releaseLease(Self.heartbeatLease(deploymentId), holder: Self.beater(holder.owner, holder.instance))
        _ = try await store.append(
            [NewEvent(stream: Self.stream(app: app, environment: environment),
                      DeploymentClaimReleased(deploymentId: deploymentId, outcome: outcome), metadata: metadata)])
    }

    private func busy(_ app: String, _ environment: String, _ holder: Holder) throws -> DeployError {
        let record = try store.deployments(DeploymentFilter(app: app, environment: environment, limit: 20))
            .first { $0.id == holder.deploymentId }
        var detail = ""
        if let record {
            detail = " (tag \(record.tag), \(record.trigger) by \(record.actor ?? "unknown"), started \(record.startedAt))"
        }
        return DeployError.busy(app: app, environment: environment, inFlight: holder.deploymentId, detail: detail)
    }
}
