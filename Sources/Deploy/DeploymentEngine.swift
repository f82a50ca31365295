import Access
import AWS
import Clocks
import ECS
import Foundation
import Ledger
import Logging
import Registry

/// The workflow engine: deploy, roll back and promote, each step an event in the ledger before
/// the next step starts, so a crash at any point leaves a log that says how far it got.
///
/// deploy: verify the tag for every image → read the template family's latest revision → render
/// (images set, `-template` dropped, read-only fields stripped) → register → update the service →
/// poll until stable, rolled back by ECS, or timed out → confirm the version endpoint, if any.
///
/// ```swift
/// let engine = DeploymentEngine(configuration: configuration, store: store, drivers: drivers, clock: clock)
/// let result = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", trigger: .merge, metadata: metadata)
/// ```
public struct DeploymentEngine: Sendable {
    public var configuration: ShiplogConfiguration
    public let store: EventStore
    public let drivers: DeployDrivers
    /// Polling and timeouts run on it: a `VirtualClock` (Simulation) in tests and on the simulated drivers.
    public let clock: any ShiplogClock
    /// How often ECS is asked (the `services-stable` waiter asks every 15 s).
    public var pollInterval: Duration = .seconds(15)
    /// How many times, and how far apart, the version endpoint is asked after ECS says stable.
    public var versionAttempts = 8
    public var versionInterval: Duration = .seconds(15)
    /// How many reads of the service decide that an update did not reach ECS.
    public var readBackAttempts = 3
    /// Told of every step as it is recorded, and of each poll.
    public var progress: @Sendable (DeploymentProgress) -> Void = { _ in }
    /// Runs after each step is recorded, with the deployment id; throwing from it stops the
    /// flow right there, recording nothing more (tests use it to crash the flow).
    public var afterStep: @Sendable (DeploymentStep, String) async throws -> Void = { _, _ in }
    public var logger = Logger(label: "shiplog.deploy")
    /// Whether the engine checks the actor against the configuration's maintainers, deployers and
    /// bots. The HTTP service turns it off: there the token's role decides, checked (and a
    /// refusal recorded) before the engine is called.
    public var checksActors = true
    /// Whether and how long a deploy waits for the one holding its environment, and the
    /// heartbeat of a claim (see ``EnvironmentClaim``). Reconciles never wait.
    public var queueing = EnvironmentClaim.Queueing()
    /// Heartbeats, their expiry, the wait timeout and freeze windows: the ledger's clock, so they
    /// compare with `recorded_at` (the simulated drivers' clock is virtual; a freeze is not).
    public var claimClock: any ShiplogClock = SystemClock()

    public init(configuration: ShiplogConfiguration, store: EventStore, drivers: DeployDrivers, clock: any ShiplogClock) {
        self.configuration = configuration
        self.store = store
        self.drivers = drivers
        self.clock = clock
    }

    private var claims: EnvironmentClaim { EnvironmentClaim(store: store, clock: claimClock) }

    // MARK: Commands

    /// Deploys `tag` of `app` to `environment`.
    ///
    /// Refusals (unknown app or environment, a tag missing from the registry, a variable the template
    /// lacks, another deployment in flight) throw ``DeployError`` and write nothing, except an
    /// actor's refusal and a freeze's, which are recorded as `AccessDenied`. A deployment that ran
    /// and failed returns its result.
    ///
    /// - Parameter overrideFreeze: a maintainer's reason to deploy inside a freeze window, recorded
    ///   in the `DeploymentRequested`.
    public func deploy(
        app: String, environment: String, tag: String, trigger: DeploymentTrigger = .manual,
        requiredVariables: [String] = [], overrideFreeze: String? = nil, metadata: EventMetadata
    ) async throws -> DeploymentResult {
        let (appConfiguration, place) = try configuration.target(app: app, environment: environment)
        try await authorize(.deploy(to: environment), app: app, environment: environment, metadata: metadata)
        let freeze = try await admitDuringFreeze(.deploy(to: environment), app: app, environment: environment, override: overrideFreeze, metadata: metadata)
        if !requiredVariables.isEmpty { try await checkVariables(requiredVariables, in: place, of: appConfiguration) }
        try await requireTag(tag, of: appConfiguration)
        if environment == ShiplogConfiguration.promotionSource, let promotion = try promotionInFlight(app: app) {
            _ = try await store.append([NewEvent(
                stream: "promotion-\(app)",
                PromotionQueued(app: app, environment: environment, tag: tag, trigger: trigger, promotion: promotion, freezeOverride: overrideFreeze),
                metadata: metadata)])
            progress(DeploymentProgress(deploymentId: promotion, elapsed: .zero, step: PromotionQueued.eventType,
                                        detail: "\(app) \(environment) \(tag) waits for promotion \(promotion)"))
            // The promotion may have finished, and read the queue, between the check and the append.
            if try promotionInFlight(app: app) == nil { try await releaseQueued(app: app, started: clock.now) }
            return DeploymentResult(id: promotion, app: app, environment: environment, tag: tag, outcome: .inProgress, isQueued: true)
        }
        return try await start(appConfiguration, place, tag: tag, trigger: trigger, images: appConfiguration.images(tag: tag),
                               freeze: freeze, metadata: metadata)
    }

    /// Rolls `app` in `environment` back to `tag`: maintainers only (or a bot acting for one).
    ///
    /// As the seed's rollback does, it follows the deployment process with the old tag: the
    /// *current* template is rendered, so variables added and secrets rotated since are kept; an
    /// existing revision is reused only when it is identical to that render. `reuseRevision`
    /// reuses the newest revision that runs those images, whatever else it holds.
    ///
    /// A freeze does not hold a rollback back: rolling back is how a frozen environment recovers.
    /// The window it ran in is recorded in the `DeploymentRequested`.
    public func rollback(
        app: String, environment: String, tag: String, reuseRevision: Bool = false, metadata: EventMetadata
    ) async throws -> DeploymentResult {
        let (appConfiguration, place) = try configuration.target(app: app, environment: environment)
        try await authorize(.rollback, app: app, environment: environment, metadata: metadata)
        try await requireTag(tag, of: appConfiguration)
        let freeze = activeFreeze(environment: environment).map { FreezeNote(window: $0.window, override: nil) }
        return try await start(appConfiguration, place, tag: tag, trigger: .rollback, images: appConfiguration.images(tag: tag),
                               reusesRevision: reuseRevision, freeze: freeze, metadata: metadata)
    }

    /// Deploys back the images the ledger says should run (`images`, read from the desired task
    /// definition), for the reconciler: trigger `reconcile`, and the desired revision is reused
    /// when it still runs exactly those images. Inside a freeze window it is refused as a deploy is.
    public func reconcile(
        app: String, environment: String, tag: String, images: [String: String], overrideFreeze: String? = nil, metadata: EventMetadata
    ) async throws -> DeploymentResult {
        let (appConfiguration, place) = try configuration.target(app: app, environment: environment)
        try await authorize(.reconcile, app: app, environment: environment, metadata: metadata)
        let freeze = try await admitDuringFreeze(.reconcile, app: app, environment: environment, override: overrideFreeze, metadata: metadata)
        return try await start(appConfiguration, place, tag: tag, trigger: .reconcile, images: images, reusesRevision: true, freeze: freeze, metadata: metadata)
    }

    /// Deploys to production exactly the image digests staging runs; staging deploys asked for
    /// meanwhile are queued and run, in order, once the promotion has finished. Inside a freeze
    /// window of production it is refused as a deploy is; so it is, recorded the same way, until
    /// the verifications production's gates name have passed for the tag staging runs.
    public func promote(app: String, overrideFreeze: String? = nil, metadata: EventMetadata) async throws -> DeploymentResult {
        let (appConfiguration, staging) = try configuration.target(app: app, environment: ShiplogConfiguration.promotionSource)
        let (_, production) = try configuration.target(app: app, environment: ShiplogConfiguration.promotionTarget)
        try await authorize(.promote, app: app, environment: production.name, metadata: metadata)
        let freeze = try await admitDuringFreeze(.promote, app: app, environment: production.name, override: overrideFreeze, metadata: metadata)
        let running = try await stagingImages(appConfiguration, staging)
        let gates = try promotionGates(app: app, tag: ImageTag.of(running.first?.image ?? ""))
        if !gates.passed {
            try await AccessRefusal(.promote, app: app, environment: production.name, reason: gates.summary).record(in: store, metadata: metadata)
            throw DeployError.gatesNotPassed(gates)
        }
        let registry = try drivers.registry(appConfiguration)
        var images: [String: String] = [:]
        var tag: String?
        for (container, image) in running {
            let runningTag = ImageTag.of(image)
            let pinned = image.split(separator: "@").dropFirst().first.map(String.init)
            let digest: String
            if let pinned {
                digest = pinned
            } else {
                digest = try await registry.digest(repository: try repository(of: container.image), tag: runningTag)
            }
            images[container.name] = "\(container.image):\(runningTag)@\(digest)"
            tag = tag ?? runningTag
        }
        return try await start(appConfiguration, production, tag: tag ?? "latest", trigger: .promotion, images: images, freeze: freeze, metadata: metadata)
    }

    /// Closes a deployment whose process died, from what ECS actually runs.
    ///
    /// Once the service was updated, the flow is followed to its end (stable, rolled back, timed
    /// out, version checked). Before that, ECS was never told, and the attempt is closed as failed
    /// at the step it stopped before. A closed deployment is returned as it was, never recorded twice.
    public func resume(_ id: String, metadata: EventMetadata) async throws -> DeploymentResult {
        let id = id.hasPrefix("deployment-") ? id : "deployment-\(id)"
        guard var log = try DeploymentLog(id: id, events: try store.events(EventFilter(stream: id))) else {
            throw DeployError.notFound("no deployment \(id) in the ledger")
        }
        let request = log.request
        let (appConfiguration, place) = try configuration.target(app: request.app, environment: request.environment)
        let holder = try claims.holder(app: request.app, environment: request.environment)
        if let terminal = log.terminal {
            // The process may have died between recording the end and letting the next deployment go.
            if holder?.deploymentId == id {
                try await claims.release(app: request.app, environment: request.environment, deploymentId: id, outcome: .ended(terminal.outcome), metadata: metadata)
                if request.trigger == .promotion { try await releaseQueued(app: request.app, started: clock.now) }
            }
            return terminal
        }
        if let holder, holder.deploymentId == id, ProcessOwner.isAlive(owner: holder.owner, run: holder.instance) {
            throw DeployError.stillRunning(id, owner: holder.owner)
        }
        let run = UUID().uuidString
        ProcessOwner.begin(run)
        defer { ProcessOwner.end(run) }
        try await claims.takeOver(app: request.app, environment: request.environment, deploymentId: id, trigger: request.trigger,
                                  owner: ProcessOwner.current, instance: run, metadata: metadata)
        let heartbeat = beating(id, run: run)
        defer { heartbeat.cancel() }
        let started = clock.now
        report(id, started, "resume", "\(request.app) \(request.environment) \(request.tag): last recorded step \(log.lastStep.rawValue)")
        if !log.updated {
            let service = try await readBack(place, expecting: log.registeredArn)
            if let arn = log.registeredArn, service.taskDefinition == arn {
                let ours = service.deployments.first { $0.status == .primary && $0.taskDefinition == arn }?.id
                log.ecsDeploymentId = ours
                try await record(id, [ServiceUpdated(cluster: place.cluster, service: place.service, taskDefinitionArn: arn, ecsDeploymentId: ours)], metadata, started,
                                 "\(place.cluster)/\(place.service) already on \(DeploymentResult.shortName(arn)) (read back from ECS)")
                log.updated = true
            } else {
                let reason = "interrupted after \(log.lastStep.rawValue); closed on resume: ECS was never pointed at the new revision (service runs \(DeploymentResult.shortName(service.taskDefinition)))"
                return try await finish(log, appConfiguration, place, .failed(stage: log.lastStep.nextStage, reason: reason), metadata, started)
            }
        }
        return try await follow(log, appConfiguration, place, metadata, started)
    }

    /// Finds deployments whose process died (on this host) and closes each with ``resume(_:metadata:)``;
    /// releases environments claimed by a process that died before recording its request.
    public func resumeInterrupted(metadata: EventMetadata) async throws -> [DeploymentResult] {
        var results: [DeploymentResult] = []
        for app in configuration.apps.values.sorted(by: { $0.name < $1.name }) {
            for environment in app.environments.keys.sorted() {
                guard let holder = try claims.holder(app: app.name, environment: environment),
                      !ProcessOwner.isAlive(owner: holder.owner, run: holder.instance) else { continue }
                if let result = try await closeAbandoned(holder, app: app.name, environment: environment, metadata: metadata) {
                    results.append(result)
                }
            }
        }
        return results
    }

    /// Closes the deployment of a holder whose process is gone: from ECS's state when it recorded
    /// its request, else by letting the environment go.
    private func closeAbandoned(
        _ holder: EnvironmentClaim.Holder, app: String, environment: String, metadata: EventMetadata
    ) async throws -> DeploymentResult? {
        if try store.streamVersion(holder.deploymentId) == 0 {
            try await claims.release(app: app, environment: environment, deploymentId: holder.deploymentId, outcome: .abandoned, metadata: metadata)
            return nil
        }
        return try await resume(holder.deploymentId, metadata: metadata)
    }

    /// Renews the claim's heartbeat until cancelled, so a waiter on another host can tell this
    /// process from one that died. A failed beat is logged: the next one may succeed, and the
    /// claim only expires after the TTL.
    private func beating(_ id: String, run: String) -> Task<Void, Never> {
        let claims = claims, interval = queueing.heartbeatInterval, logger = logger
        return Task {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                    try await claims.beat(id, owner: ProcessOwner.current, instance: run)
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("claim heartbeat not recorded: \(error)", metadata: ["deployment.id": "\(id)"])
                }
            }
        }
    }

    // MARK: The flow

    private func start(
        _ app: ShiplogConfiguration.App, _ place: ShiplogConfiguration.Environment, tag: String, trigger: DeploymentTrigger,
        images: [String: String], reusesRevision: Bool = false, freeze: FreezeNote? = nil, metadata: EventMetadata
    ) async throws -> DeploymentResult {
        let run = UUID().uuidString
        ProcessOwner.begin(run)
        defer { ProcessOwner.end(run) }
        let claimRequest = EnvironmentClaim.Request(app: app.name, environment: place.name, tag: tag, trigger: trigger,
                                                    owner: ProcessOwner.current, instance: run, metadata: metadata)
        let queuedAt = clock.now
        let id = try await claims.acquire(claimRequest, queueing: queueing, closeAbandoned: { holder in
            if let closed = try await closeAbandoned(holder, app: app.name, environment: place.name, metadata: metadata) {
                report(closed.id, queuedAt, "closed", closed.summary)
            }
        }, waiting: { holder in
            report(claimRequest.requestId, queuedAt, DeploymentQueued.eventType, "\(app.name) \(place.name) \(tag) waits for \(holder) (request \(claimRequest.requestId))")
        })
        let heartbeat = beating(id, run: run)
        defer { heartbeat.cancel() }
        let started = clock.now
        let request = DeploymentRequested(app: app.name, environment: place.name, tag: tag, trigger: trigger, images: images,
                                          freezeWindow: freeze?.window, freezeOverride: freeze?.override)
        var first: [any EventPayload] = []
        if trigger == .rollback { first.append(RollbackRequested(app: app.name, environment: place.name, tag: tag)) }
        first.append(request)
        do {
            try await record(id, first, metadata, started, "\(app.name) \(place.name) \(tag) (\(trigger.rawValue)) by \(metadata.effectiveActor ?? "unknown")",
                             expectedVersion: .noStream)
        } catch {
            try? await claims.release(app: app.name, environment: place.name, deploymentId: id, outcome: .abandoned, metadata: metadata)
            throw error
        }
        try await afterStep(.requested, id)
        var log = DeploymentLog(id: id, request: request)
        log.requestedAt = started
        log.reusesRevision = reusesRevision
        do {
            try await verify(&log, app, metadata, started)
            try await register(&log, app, place, metadata, started)
            let arn = log.registeredArn ?? ""
            let updated = try await updateService(place, to: arn)
            // ECS answers UpdateService with the service as it now is: the PRIMARY deployment on our
            // revision is the one this update started.
            let ours = updated.deployments.first { $0.status == .primary && $0.taskDefinition == arn }?.id
            try await record(id, [ServiceUpdated(cluster: place.cluster, service: place.service, taskDefinitionArn: arn, ecsDeploymentId: ours)],
                             metadata, started, "\(place.cluster)/\(place.service) -> \(DeploymentResult.shortName(arn))\(ours.map { " (\($0))" } ?? "")")
            log.updated = true
            log.ecsDeploymentId = ours
            log.updateAnswer = updated
            try await afterStep(.serviceUpdated, id)
        } catch let error as DeployError where error.code == .crashed {
            throw error
        } catch {
            return try await finish(log, app, place, .failed(stage: log.lastStep.nextStage, reason: Self.oneLine(error)), metadata, started)
        }
        return try await follow(log, app, place, metadata, started)
    }

    private func verify(_ log: inout DeploymentLog, _ app: ShiplogConfiguration.App, _ metadata: EventMetadata, _ started: Date) async throws {
        let registry = try drivers.registry(app)
        for container in app.containers {
            let image = log.images[container.name] ?? "\(container.image):\(log.request.tag)"
            let tag = ImageTag.of(image)
            let digest = try await registry.digest(repository: try repository(of: container.image), tag: tag)
            if let pinned = image.split(separator: "@").dropFirst().first, pinned != digest {
                throw DeployError.badRequest("\(container.image):\(tag) now points at \(digest), not the \(pinned) staging runs")
            }
            try await record(log.id, [ImageVerified(image: container.image, tag: tag, digest: digest)], metadata, started, "\(container.image):\(tag) \(digest)")
        }
        log.verified = true
        log.lastStep = .imagesVerified
        try await afterStep(.imagesVerified, log.id)
    }

    private func register(
        _ log: inout DeploymentLog, _ app: ShiplogConfiguration.App, _ place: ShiplogConfiguration.Environment,
        _ metadata: EventMetadata, _ started: Date
    ) async throws {
        // A reconcile puts back the revision the ledger says should run (and `rollback
        // --reuse-revision` one that ran before): a revision already running exactly those
        // images is that revision, not a new one.
        if log.reusesRevision, let reused = try await newestRevision(of: place.family, where: { definition in
            log.images.allSatisfy { definition.container(named: $0.key)?.image == $0.value }
        }) {
            try await reuse(reused, &log, place, metadata, started, "reused \(DeploymentResult.shortName(reused.arn)), which already runs these images")
            return
        }
        let template = try await retrying { try await drivers.ecs.describeTaskDefinition(place.templateFamily) }
        let rendered = try template.rendered(images: log.images)
        try await record(log.id, [TaskDefinitionRendered(templateFamily: place.templateFamily, templateRevision: template.revision,
                                                          family: rendered.family, images: log.images)],
                         metadata, started, "\(place.templateFamily):\(template.revision.map(String.init) ?? "?") -> \(rendered.family)")
        log.rendered = true
        log.lastStep = .rendered
        try await afterStep(.rendered, log.id)
        // A rollback renders the current template with the old tag; a revision identical to
        // that render is the same task definition and is not registered again.
        if log.request.trigger == .rollback, let identical = try await newestRevision(of: place.family, where: { $0.registers(as: rendered) }) {
            try await reuse(identical, &log, place, metadata, started,
                            "reused \(DeploymentResult.shortName(identical.arn)), identical to the current template rendered with these images")
            return
        }
        let registered = try await retrying { try await drivers.ecs.registerTaskDefinition(rendered) }
        guard let arn = registered.arn else { throw DeployError.badRequest("ECS registered \(rendered.family) without an ARN") }
        try await record(log.id, [TaskDefinitionRegistered(taskDefinitionArn: arn, family: registered.family, revision: registered.revision ?? 0)],
                         metadata, started, DeploymentResult.shortName(arn))
        log.registeredArn = arn
        log.lastStep = .registered
        try await afterStep(.registered, log.id)
    }

    /// Polls ECS until the new revision is stable, ECS went back to another, or the timeout
    /// passes; then checks the version endpoint and records the end.
    private func follow(
        _ log: DeploymentLog, _ app: ShiplogConfiguration.App, _ place: ShiplogConfiguration.Environment,
        _ metadata: EventMetadata, _ started: Date
    ) async throws -> DeploymentResult {
        let arn = log.registeredArn ?? ""
        let verdict: Verdict
        do {
            verdict = try await watch(log.id, place, arn: arn, ecsDeployment: log.ecsDeploymentId, updateAnswer: log.updateAnswer,
                                      metadata: metadata, started: started)
        } catch let error as DeployError where error.code == .crashed {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as AWSError where error.isAuthFailure {
            // Who we are was refused, not what we asked: ECS was told and carries on without us.
            return try await leaveOpen(log, stage: "stabilize", reason: Self.oneLine(error), metadata, started)
        } catch {
            // ECS stopped answering sensibly (the service was deleted, access was revoked): the
            // attempt ends here rather than staying open.
            return try await finish(log, app, place, .failed(stage: "stabilize", reason: Self.oneLine(error)), metadata, started)
        }
        guard case .stable = verdict else {
            await recordStoppedTasks(log, place, metadata, started)
            return try await finish(log, app, place, verdict, metadata, started)
        }
        try await afterStep(.stabilized, log.id)
        if let url = place.versionEndpoint {
            let check = try await checkVersion(url, expected: log.request.tag)
            try await record(log.id, [check], metadata, started,
                             "\(url) reports \(check.reported ?? "nothing")\(check.matched ? "" : ", expected \(check.expected)")")
            if !check.matched {
                let reason = "\(url) reports \(check.reported ?? "nothing (no answer)") after \(check.attempts) attempts, expected \(check.expected), although ECS reports the service stable"
                return try await finish(log, app, place, .failed(stage: "version", reason: reason), metadata, started)
            }
        }
        return try await finish(log, app, place, .stable, metadata, started)
    }

    enum Verdict {
        case stable
        case rolledBack(to: String, reason: String)
        case failed(stage: String, reason: String)
        case timedOut
    }

    /// Follows our ECS deployment — the one the service update started (`ecsDeployment`), else the
    /// PRIMARY one on our revision — not the service's task definition: ECS is eventually
    /// consistent, and a read that does not show our deployment yet is "not yet", never a verdict.
    ///
    /// Stable: ours is the only deployment, its rollout complete (or, where ECS keeps no rollout
    /// state, all its tasks running). Rolled back: ECS failed our rollout and went back to another
    /// revision. Failed: our rollout failed in place, or a newer deployment replaced ours before it
    /// completed (someone else updated the service).
    ///
    /// The service events ECS writes from our deployment's creation on are recorded as they are seen.
    private func watch(
        _ id: String, _ place: ShiplogConfiguration.Environment, arn: String, ecsDeployment: String?, updateAnswer: ECSService?,
        metadata: EventMetadata, started: Date
    ) async throws -> Verdict {
        let deadline = clock.now.addingTimeInterval(Double(configuration.stableTimeout.components.seconds))
        var lastNote = ""
        var followed = ecsDeployment
        // UpdateService's answer showed ours, and the deployments before it: ours was seen there.
        var lastSeen = ecsDeployment.flatMap { ours in updateAnswer?.deployments.first { $0.id == ours } }
        // Deployments older than ours: a read whose PRIMARY is one of them is a stale one.
        var older = Set(updateAnswer?.deployments.map(\.id).filter { $0 != ecsDeployment } ?? [])
        var rollout = try RolloutRecorder(store: store, ecs: drivers.ecs, deploymentId: id, metadata: metadata)
        while true {
            do {
                let service = try await drivers.ecs.describeService(cluster: place.cluster, service: place.service)
                let ours = followed.flatMap { id in service.deployments.first { $0.id == id } }
                    ?? (followed == nil ? service.deployments.first { $0.status == .primary && $0.taskDefinition == arn } : nil)
                if let since = (ours ?? lastSeen)?.createdAt {
                    for reported in try await rollout.record(service.events, since: since, following: (ours ?? lastSeen)?.id) {
                        report(id, started, ServiceEventReported.eventType, reported.message)
                    }
                }
                if let ours {
                    followed = ours.id
                    lastSeen = ours
                    if ours.status == .primary { older.formUnion(service.deployments.map(\.id).filter { $0 != ours.id }) }
                    if let verdict = Self.verdict(of: ours, in: service, arn: arn) { return verdict }
                } else if followed == nil, service.taskDefinition == arn, service.isStable {
                    // An endpoint that keeps no deployment per update (moto): the service settled on ours.
                    return .stable
                } else if lastSeen == nil {
                    older.formUnion(service.deployments.map(\.id))
                } else if let seen = lastSeen, let primary = service.deployments.first(where: { $0.status == .primary }),
                          Self.isOlder(primary, than: seen, older: older) {
                    // Another replica's older view: ours is not in it yet. Not a verdict.
                    report(id, started, "waiting", "ECS answered with an earlier view of the service; asking again", isPoll: true)
                } else if let seen = lastSeen {
                    // Ours was there and is gone: ECS replaced it with a newer deployment — its
                    // circuit breaker's rollback (ours seen failing, or the new one says it rolls
                    // back from ours), or someone else's update.
                    let reason = seen.rolloutStateReason ?? service.events.first?.message ?? "ECS replaced the deployment"
                    let primary = service.deployments.first { $0.status == .primary }
                    if seen.rolloutState == .failed { return .rolledBack(to: service.taskDefinition, reason: reason) }
                    if let primary, primary.rolloutStateReason?.contains("circuit breaker: rolling back") == true {
                        return .rolledBack(to: service.taskDefinition, reason: primary.rolloutStateReason ?? reason)
                    }
                    return .failed(stage: "stabilize", reason: "ECS deployment \(seen.id) was replaced by a newer one on \(DeploymentResult.shortName(service.taskDefinition)) before it completed (the service was updated by someone else)")
                }
                let note = ours.map { "\($0.rolloutState?.rawValue ?? "rollout") \($0.runningCount)/\($0.desiredCount) running, \(service.deployments.count) deployments" }
                    ?? "ECS does not show the new deployment yet"
                if note != lastNote {
                    report(id, started, "waiting", note, isPoll: true)
                    lastNote = note
                }
            } catch let error as AWSError where error.isRetryable {
                report(id, started, "waiting", "ECS answered \(error.code ?? "an error"); asking again", isPoll: true)
            }
            if clock.now >= deadline { return .timedOut }
            try await clock.sleep(for: pollInterval)
        }
    }

    /// Whether `deployment` was made before ours: it was listed beside ours while ours was
    /// PRIMARY (or before ours showed at all), or it was created earlier.
    static func isOlder(_ deployment: ServiceDeployment, than ours: ServiceDeployment, older: Set<String>) -> Bool {
        if older.contains(deployment.id) { return true }
        guard let created = deployment.createdAt, let oursCreated = ours.createdAt else { return false }
        return created < oursCreated
    }

    /// What one read of our deployment says; nil while it is still rolling out.
    static func verdict(of ours: ServiceDeployment, in service: ECSService, arn: String) -> Verdict? {
        let reason = ours.rolloutStateReason ?? service.events.first?.message ?? "the rollout failed"
        if ours.rolloutState == .failed {
            // The circuit breaker's rollback makes the previous revision PRIMARY again.
            return service.taskDefinition != arn ? .rolledBack(to: service.taskDefinition, reason: reason) : .failed(stage: "stabilize", reason: reason)
        }
        if ours.status != .primary, service.taskDefinition != arn {
            return ours.rolloutState == .failed ? .rolledBack(to: service.taskDefinition, reason: reason)
                : .failed(stage: "stabilize", reason: "ECS deployment \(ours.id) was replaced by a newer one on \(DeploymentResult.shortName(service.taskDefinition)) before it completed (the service was updated by someone else)")
        }
        return ours.status == .primary && service.isStable ? .stable : nil
    }

    /// Records the stopped tasks of a rollout that did not become stable. What ECS cannot tell
    /// (a driver without task look-ups, an access error) is logged and reported, never the
    /// deployment's verdict: the outcome is recorded either way.
    private func recordStoppedTasks(_ log: DeploymentLog, _ place: ShiplogConfiguration.Environment, _ metadata: EventMetadata, _ started: Date) async {
        guard let arn = log.registeredArn else { return }
        do {
            var rollout = try RolloutRecorder(store: store, ecs: drivers.ecs, deploymentId: log.id, metadata: metadata)
            let ecsDeployment = try log.ecsDeploymentId ?? followedDeployment(log.id)
            for task in try await rollout.recordStoppedTasks(cluster: place.cluster, family: place.family, taskDefinitionArn: arn, ecsDeployment: ecsDeployment) {
                report(log.id, started, TaskStopped.eventType, "task \(task.taskId): \(task.stoppedReason ?? "stopped") (\(task.containerSummary))")
            }
        } catch {
            logger.debug("stopped tasks not recorded: \(Self.oneLine(error))", metadata: ["deployment.id": "\(log.id)"])
            report(log.id, started, "tasks", "stopped tasks not recorded: \(Self.oneLine(error))")
        }
    }

    /// The ECS deployment the recorded service events say the engine followed, when the update did not say.
    private func followedDeployment(_ id: String) throws -> String? {
        try store.events(EventFilter(stream: id)).last { $0.type == ServiceEventReported.eventType }
            .flatMap { try ServiceEventReported.decode(from: $0.data).ecsDeploymentId }
    }

    private func checkVersion(_ url: String, expected: String) async throws -> VersionChecked {
        var reported: String?
        for attempt in 1...max(1, versionAttempts) {
            if let body = try? await drivers.versions.fetch(url) {
                let version = ReportedVersion.parse(body)
                reported = version
                if ReportedVersion.matches(reported: version, expected: expected) {
                    return VersionChecked(url: url, expected: expected, reported: version, matched: true, attempts: attempt)
                }
            }
            if attempt < versionAttempts { try await clock.sleep(for: versionInterval) }
        }
        return VersionChecked(url: url, expected: expected, reported: reported, matched: false, attempts: max(1, versionAttempts))
    }

    /// Records how the deployment ended, releases the environment, and after a promotion runs
    /// the staging deploys queued behind it.
    private func finish(
        _ log: DeploymentLog, _ app: ShiplogConfiguration.App, _ place: ShiplogConfiguration.Environment, _ verdict: Verdict,
        _ metadata: EventMetadata, _ started: Date
    ) async throws -> DeploymentResult {
        let result: DeploymentResult
        // On the simulated ECS the engine's clock is virtual: the rollout's simulated minutes are
        // kept here, in the data, while `recorded_at` stays the wall clock.
        let durationMs = log.requestedAt.map { Int64((clock.now.timeIntervalSince($0) * 1000).rounded()) }
        switch verdict {
        case .stable:
            let arn = log.registeredArn ?? ""
            try await record(log.id, [DeploymentStable(taskDefinitionArn: arn, revision: Self.revision(of: arn), images: log.images, durationMs: durationMs)],
                             metadata, started, "\(place.service) runs \(DeploymentResult.shortName(arn))")
            result = log.result(.succeeded, arn: arn)
        case .rolledBack(let target, let reason):
            try await record(log.id, [RolledBackAutomatically(taskDefinitionArn: target, revision: Self.revision(of: target)),
                                      DeploymentFailed(stage: "stabilize", reason: reason, durationMs: durationMs)],
                             metadata, started, "ECS went back to \(DeploymentResult.shortName(target)): \(reason)")
            result = log.result(.rolledBack, stage: "stabilize", reason: reason, rolledBackTo: target)
        case .failed(let stage, let reason):
            try await record(log.id, [DeploymentFailed(stage: stage, reason: reason, durationMs: durationMs)], metadata, started, "\(stage): \(reason)")
            result = log.result(.failed, stage: stage, reason: reason)
        case .timedOut:
            let seconds = Int(configuration.stableTimeout.components.seconds)
            try await record(log.id, [DeploymentTimedOut(timeoutSeconds: seconds, durationMs: durationMs)], metadata, started, "not stable after \(seconds) s")
            result = log.result(.timedOut, stage: "stabilize", reason: "not stable after \(seconds) s")
        }
        try await claims.release(app: app.name, environment: place.name, deploymentId: log.id, outcome: .ended(result.outcome), metadata: metadata)
        if log.request.trigger == .promotion { try await releaseQueued(app: app.name, started: started) }
        return result
    }

    /// Records that the deployment could not be followed and stays open: the environment stays
    /// claimed by it (its process is gone once this returns), so the next deploy command, a
    /// `deploy --resume`, or the service's start follows it to its end from what ECS runs.
    private func leaveOpen(
        _ log: DeploymentLog, stage: String, reason: String, _ metadata: EventMetadata, _ started: Date
    ) async throws -> DeploymentResult {
        try await record(log.id, [DeploymentLeftOpen(stage: stage, reason: reason)], metadata, started,
                         "\(stage): \(reason); left open for `shiplog deploy --resume \(log.id)`")
        return log.result(.inProgress, stage: stage, reason: reason)
    }

    // MARK: Promotions

    /// Where production's gates stand for the tag staging runs now (read from ECS, as `promote`
    /// reads it): each configured verification passed, failed or missing, and whether all passed.
    ///
    /// - Throws: ``DeployError`` for an app without staging and production, or a staging service
    ///   ECS cannot describe.
    public func promotionGates(app: String) async throws -> PromotionGates {
        let (appConfiguration, staging) = try configuration.target(app: app, environment: ShiplogConfiguration.promotionSource)
        _ = try configuration.target(app: app, environment: ShiplogConfiguration.promotionTarget)
        let running = try await stagingImages(appConfiguration, staging)
        return try promotionGates(app: app, tag: ImageTag.of(running.first?.image ?? ""))
    }

    /// Production's gates evaluated against the results recorded in staging for `tag`.
    private func promotionGates(app: String, tag: String) throws -> PromotionGates {
        let names = configuration.apps[app]?.environments[ShiplogConfiguration.promotionTarget]?.gates ?? []
        let results = names.isEmpty ? [] : try Verifications.results(in: store, app: app, environment: ShiplogConfiguration.promotionSource, tag: tag)
        return PromotionGates(
            app: app, source: ShiplogConfiguration.promotionSource, target: ShiplogConfiguration.promotionTarget, tag: tag, names: names, results: results)
    }

    /// The image each of the app's containers runs in staging, in the configuration's order.
    private func stagingImages(
        _ app: ShiplogConfiguration.App, _ staging: ShiplogConfiguration.Environment
    ) async throws -> [(container: ShiplogConfiguration.Container, image: String)] {
        let service = try await drivers.ecs.describeService(cluster: staging.cluster, service: staging.service)
        let definition = try await drivers.ecs.describeTaskDefinition(service.taskDefinition)
        return try app.containers.map { container in
            guard let running = definition.container(named: container.name)?.image else {
                throw DeployError.notFound("\(staging.service) runs no container \(container.name) (task definition \(DeploymentResult.shortName(service.taskDefinition)))")
            }
            return (container, running)
        }
    }

    /// The promotion holding production, if one is in flight.
    private func promotionInFlight(app: String) throws -> String? {
        guard let holder = try claims.holder(app: app, environment: ShiplogConfiguration.promotionTarget),
              holder.trigger == .promotion else { return nil }
        return holder.deploymentId
    }

    /// Runs the staging deploys queued during a promotion, oldest first, each as whoever asked for it.
    ///
    /// Each release is appended expecting the queue's version just read, so two processes
    /// releasing at once never release (and deploy) the same entry twice.
    private func releaseQueued(app: String, started: Date) async throws {
        let stream = "promotion-\(app)"
        while true {
            // A new promotion releases the queue itself when it finishes.
            guard try promotionInFlight(app: app) == nil else { return }
            let events = try store.events(EventFilter(stream: stream))
            let released = events.filter { $0.type == PromotionReleased.eventType }.count
            guard let event = events.filter({ $0.type == PromotionQueued.eventType }).dropFirst(released).first else { return }
            let payload = try PromotionQueued.decode(from: event.data)
            let metadata = event.decodedMetadata()
            do {
                _ = try await store.append(
                    [NewEvent(stream: stream, PromotionReleased(app: app, environment: payload.environment, tag: payload.tag), metadata: metadata)],
                    expectedVersion: .exactly(events.last?.version ?? 0))
            } catch let error as LedgerError where error.code == .wrongExpectedVersion {
                continue
            }
            report(payload.promotion ?? stream, started, PromotionReleased.eventType, "\(app) \(payload.environment) \(payload.tag)")
            do {
                let result = try await deploy(
                    app: app, environment: payload.environment, tag: payload.tag, trigger: payload.trigger ?? .merge,
                    overrideFreeze: payload.freezeOverride, metadata: metadata)
                report(result.id, started, "released", result.summary)
            } catch let error as DeployError where error.code == .crashed {
                throw error
            } catch {
                report(stream, started, "released", "\(app) \(payload.environment) \(payload.tag) not deployed: \(Self.oneLine(error))")
            }
        }
    }

    // MARK: Checks before anything is written

    /// The freeze `environment` is in now, by the ledger's clock.
    public func activeFreeze(environment: String) -> ActiveFreeze? {
        configuration.activeFreeze(environment: environment, at: claimClock.now)
    }

    /// What a deployment records of the freeze it ran in.
    struct FreezeNote {
        var window: String
        var override: String?
    }

    /// Lets `action` into `environment` outside its freeze windows, or inside one with an
    /// override, which only those who may override a freeze (maintainers) may give, frozen or not.
    /// A refusal is recorded as `AccessDenied`, with the window and when it ends.
    private func admitDuringFreeze(
        _ action: Permissions.Action, app: String, environment: String, override: String?, metadata: EventMetadata
    ) async throws -> FreezeNote? {
        if let override {
            try FreezeOverride.check(override)
            try await authorize(.overrideFreeze, app: app, environment: environment, metadata: metadata)
        }
        guard let freeze = activeFreeze(environment: environment) else { return nil }
        guard let override else {
            try await AccessRefusal(action, app: app, environment: environment, reason: freeze.summary).record(in: store, metadata: metadata)
            throw DeployError.frozen(freeze)
        }
        return FreezeNote(window: freeze.window, override: override)
    }

    private func authorize(_ action: Permissions.Action, app: String, environment: String, metadata: EventMetadata) async throws {
        guard checksActors else { return }
        try await configuration.authorize(action, app: app, environment: environment, metadata: metadata, store: store)
    }

    /// Refuses `tag` when the registry lacks it for one of `app`'s images, as `deploy` and
    /// `rollback` do before they write anything: the dashboard asks first, to offer the nearest
    /// tags before it asks to confirm.
    ///
    /// - Throws: ``DeployError/tagNotFound(_:image:nearest:)`` with the closest tags that exist.
    public func requireTag(_ tag: String, app: String, environment: String) async throws {
        let (appConfiguration, _) = try configuration.target(app: app, environment: environment)
        try await requireTag(tag, of: appConfiguration)
    }

    /// - Throws: ``DeployError/tagNotFound(_:image:nearest:)`` with the closest tags that exist.
    private func requireTag(_ tag: String, of app: ShiplogConfiguration.App) async throws {
        let registry = try drivers.registry(app)
        for container in app.containers {
            let repository = try repository(of: container.image)
            if try await registry.tagExists(repository: repository, tag: tag) { continue }
            let tags = try await registry.tags(repository: repository)
            throw DeployError.tagNotFound(tag, image: container.image, nearest: NearestTags.closest(to: tag, in: tags))
        }
    }

    private func checkVariables(_ names: [String], in place: ShiplogConfiguration.Environment, of app: ShiplogConfiguration.App) async throws {
        let template = try await drivers.ecs.describeTaskDefinition(place.templateFamily)
        let present = Set(template.containerDefinitions.filter { container in app.containers.contains { $0.name == container.name } }
            .flatMap { $0.environment.map(\.name) })
        let missing = names.filter { !present.contains($0) }
        if !missing.isEmpty { throw DeployError.missingVariables(missing, family: place.templateFamily) }
    }

    /// Points the service at `arn`. An update whose answer never came (timeouts, dropped
    /// connections, 5xx past every retry) may still have reached ECS: the service is read back, and
    /// if it is on our revision the update happened — a failure after ECS was told is not a failed deploy.
    private func updateService(_ place: ShiplogConfiguration.Environment, to arn: String) async throws -> ECSService {
        do {
            return try await retrying { try await drivers.ecs.updateService(cluster: place.cluster, service: place.service, taskDefinition: arn) }
        } catch let error as AWSError where error.isRetryable {
            guard let service = try? await readBack(place, expecting: arn), service.taskDefinition == arn else { throw error }
            logger.notice("UpdateService went unanswered but ECS runs the new revision", metadata: ["aws.error": "\(error)"])
            return service
        }
    }

    /// The service as ECS reports it, read until it is on `arn` or `readBackAttempts` reads
    /// (`pollInterval` apart) said otherwise: ECS is eventually consistent, so one read that does
    /// not show an update yet is not proof that ECS was never told.
    private func readBack(_ place: ShiplogConfiguration.Environment, expecting arn: String?) async throws -> ECSService {
        var attempt = 1
        while true {
            let service = try await retrying { try await drivers.ecs.describeService(cluster: place.cluster, service: place.service) }
            guard let arn, service.taskDefinition != arn, attempt < readBackAttempts else { return service }
            attempt += 1
            try await clock.sleep(for: pollInterval)
        }
    }

    /// The newest of the last 25 revisions of `family` that `matches`.
    private func newestRevision(
        of family: String, where matches: (TaskDefinition) -> Bool
    ) async throws -> (arn: String, revision: Int)? {
        let arns = try await drivers.ecs.listTaskDefinitions(family: family)
        for arn in arns.reversed().prefix(25) {
            let definition = try await drivers.ecs.describeTaskDefinition(arn)
            if matches(definition) { return (arn, definition.revision ?? Self.revision(of: arn) ?? 0) }
        }
        return nil
    }

    private func reuse(
        _ revision: (arn: String, revision: Int), _ log: inout DeploymentLog, _ place: ShiplogConfiguration.Environment,
        _ metadata: EventMetadata, _ started: Date, _ detail: String
    ) async throws {
        try await record(log.id, [TaskDefinitionRegistered(taskDefinitionArn: revision.arn, family: place.family, revision: revision.revision, reused: true)],
                         metadata, started, detail)
        log.registeredArn = revision.arn
        log.lastStep = .registered
        try await afterStep(.registered, log.id)
    }

    // MARK: Helpers

    /// Appends events to the deployment's stream and tells the watcher.
    private func record(
        _ id: String, _ payloads: [any EventPayload], _ metadata: EventMetadata, _ started: Date, _ detail: String,
        expectedVersion: ExpectedVersion = .any
    ) async throws {
        _ = try await store.append(payloads.map { event(id, $0, metadata) }, expectedVersion: expectedVersion)
        for (index, payload) in payloads.enumerated() {
            // A failure recorded beside another event says its own stage and reason.
            let text = index > 0 ? (payload as? DeploymentFailed).map { "\($0.stage): \($0.reason)" } ?? detail : detail
            report(id, started, type(of: payload).eventType, text)
        }
    }

    private func event<Payload: EventPayload>(_ stream: String, _ payload: Payload, _ metadata: EventMetadata) -> NewEvent {
        NewEvent(stream: stream, payload, metadata: metadata)
    }

    private func report(_ id: String, _ started: Date, _ step: String, _ detail: String, isPoll: Bool = false) {
        let elapsed = Duration.milliseconds(Int64(clock.now.timeIntervalSince(started) * 1000))
        logger.debug("\(step) \(detail)", metadata: ["deployment.id": "\(id)"])
        progress(DeploymentProgress(deploymentId: id, elapsed: elapsed, step: step, detail: detail, isPoll: isPoll))
    }

    /// ECS calls the flow makes once: a throttled call is retried on the engine's clock beyond the
    /// driver's own retries, because giving up a deploy over "Rate exceeded" helps nobody.
    private func retrying<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as AWSError where error.isRetryable && attempt < 5 {
                attempt += 1
                try await clock.sleep(for: .seconds(1 << attempt))
            }
        }
    }

    private func repository(of image: String) throws -> String {
        try ImageReference(image).repository
    }

    static func revision(of arn: String) -> Int? {
        arn.split(separator: ":").last.flatMap { Int($0) }
    }

    static func oneLine(_ error: any Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
