import Access
import AWS
import Clocks
import Foundation
import Ledger
import Logging

/// Holds ECS to what the ledger says should run: finds drift, records it once when it appears
/// and once when it goes away, and — where asked — deploys the desired revision back through the
/// deploy flow (trigger `reconcile`), so every correction is in the history with its outcome.
///
/// ```swift
/// let reconciler = Reconciler(engine: engine, detector: DriftDetector(configuration: configuration, ecs: ecs))
/// let pass = try await reconciler.pass(mode: .correct(["staging"]), metadata: metadata)
/// ```
public struct Reconciler: Sendable {
    /// What a pass does about the drift it finds.
    public enum Mode: Sendable, Equatable {
        /// Record drift appearing and going away; change nothing in ECS.
        case report
        /// As `report`, and deploy the desired revision back in these environments (all when `nil`).
        case correct(Set<String>?)
        /// Say what `correct` would do; record nothing but that plan (an audit entry).
        case dryRun
    }

    /// One pass: what was seen, what was corrected, and what it cost.
    public struct Pass: Sendable, Equatable, Codable {
        public var drift: DriftPass
        /// Deployments started to correct drift, with their outcome.
        public var corrections: [Correction]
        /// For a dry run: what a correcting pass would do. For a correcting pass: the corrections a
        /// freeze window held back, each with the freeze.
        public var plan: [String]

        public struct Correction: Sendable, Equatable, Codable {
            public var app: String
            public var environment: String
            public var deploymentId: String
            public var outcome: DeploymentOutcome
        }

        /// Services still drifting after the pass.
        public var stillDrifting: [ServiceDrift] {
            drift.drifted.filter { service in
                !corrections.contains { $0.app == service.app && $0.environment == service.environment && $0.outcome == .succeeded }
            }
        }
    }

    /// The key the last pass is kept under (see ``EventStore/serviceState(_:)``).
    public static let lastPassKey = "reconciler.last_pass"

    public let engine: DeploymentEngine
    public let detector: DriftDetector

    public init(engine: DeploymentEngine, detector: DriftDetector) {
        self.engine = engine
        self.detector = detector
    }

    private var store: EventStore { engine.store }

    /// Checks the selected services, records what changed, and corrects what `mode` says.
    ///
    /// A correction inside a freeze window of its environment is planned, not made, and the
    /// refusal is recorded once per drift and window (a pass runs every minute; a freeze lasts
    /// days), unless `overrideFreeze` gives a maintainer's reason.
    public func pass(
        app: String? = nil, environment: String? = nil, mode: Mode, overrideFreeze: String? = nil, metadata: EventMetadata
    ) async throws -> Pass {
        let drift = try await detector.check(store: store, app: app, environment: environment, now: engine.clock.now)
        var pass = Pass(drift: drift, corrections: [], plan: [])
        if mode == .dryRun {
            pass.plan = drift.drifted.map(Self.planLine)
            _ = try await store.append([NewEvent(stream: "reconciler", ReconcilePlanned(plan: pass.plan), metadata: metadata)])
            return pass
        }
        for service in drift.services {
            switch service.status {
            case .drifted:
                try await recordDetected(service, metadata: metadata)
            case .inSync:
                try await recordResolved(service, how: "external", deploymentId: nil, metadata: metadata)
            case .untracked, .deploying, .error:
                break
            }
        }
        if case .correct(let environments) = mode {
            for service in drift.drifted where environments?.contains(service.environment) ?? true {
                guard !service.serviceMissing, let images = service.desiredImages, let tag = service.desiredTag else { continue }
                if overrideFreeze == nil, let freeze = engine.activeFreeze(environment: service.environment) {
                    pass.plan.append("\(Self.planLine(service)): held, \(freeze.summary)")
                    try await recordHeld(service, freeze, metadata: metadata)
                    continue
                }
                let result = try await engine.reconcile(app: service.app, environment: service.environment, tag: tag, images: images,
                                                        overrideFreeze: overrideFreeze, metadata: metadata)
                _ = try await store.append([NewEvent(
                    stream: Self.stream(service),
                    DriftCorrected(app: service.app, environment: service.environment, by: "shiplog", deploymentId: result.id),
                    metadata: metadata)])
                pass.corrections.append(.init(app: service.app, environment: service.environment, deploymentId: result.id, outcome: result.outcome))
                if result.outcome == .succeeded {
                    try await recordResolved(service, how: "corrected", deploymentId: result.id, metadata: metadata)
                }
            }
        }
        let summary = try JSONEncoder().encode(LastPass(pass))
        try await store.saveServiceState(Self.lastPassKey, value: String(decoding: summary, as: UTF8.self), now: engine.clock.now)
        return pass
    }

    /// What a correcting pass would do for `service`.
    static func planLine(_ service: ServiceDrift) -> String {
        if service.serviceMissing {
            return "\(service.app) \(service.environment): cannot correct, \(service.differences.joined(separator: "; "))"
        }
        return "\(service.app) \(service.environment): deploy \(service.desired ?? "?") back over \(service.actual ?? "?")"
    }

    // MARK: Recording transitions, once each

    static func stream(_ service: ServiceDrift) -> String { "drift-\(service.app)-\(service.environment)" }

    /// Whether drift is open for the service: of its drift stream's detections and resolutions,
    /// the last is a detection (a correction in between changes nothing until it is resolved).
    private func isOpen(_ service: ServiceDrift) throws -> (open: Bool, version: Int64) {
        let events = try store.events(EventFilter(stream: Self.stream(service)))
        let last = events.last { $0.type == DriftDetected.eventType || $0.type == DriftResolved.eventType }
        return (last?.type == DriftDetected.eventType, events.last?.version ?? 0)
    }

    private func recordDetected(_ service: ServiceDrift, metadata: EventMetadata) async throws {
        let (open, version) = try isOpen(service)
        guard !open else { return }
        let event = NewEvent(stream: Self.stream(service), DriftDetected(
            app: service.app, environment: service.environment, desired: service.desired ?? "", actual: service.actual ?? "missing",
            differences: service.differences), metadata: metadata)
        try await appendOnce(event, expecting: version)
    }

    private func recordResolved(_ service: ServiceDrift, how: String, deploymentId: String?, metadata: EventMetadata) async throws {
        let (open, version) = try isOpen(service)
        guard open else { return }
        let event = NewEvent(stream: Self.stream(service), DriftResolved(
            app: service.app, environment: service.environment, how: how, deploymentId: deploymentId), metadata: metadata)
        try await appendOnce(event, expecting: version)
    }

    /// Records in the drift stream that `freeze` held the correction back, unless it says so
    /// already since the drift was detected.
    private func recordHeld(_ service: ServiceDrift, _ freeze: ActiveFreeze, metadata: EventMetadata) async throws {
        let events = try store.events(EventFilter(stream: Self.stream(service)))
        let refusal = AccessRefusal(.reconcile, app: service.app, environment: service.environment, reason: freeze.summary)
        let sinceDetected = events.reversed().prefix { $0.type != DriftDetected.eventType }
        let said = sinceDetected.contains { event in
            event.type == AccessDenied.eventType && (try? AccessDenied.decode(from: event.data))?.reason == refusal.reason
        }
        guard !said else { return }
        try await appendOnce(NewEvent(stream: Self.stream(service), refusal.event, metadata: metadata), expecting: events.last?.version ?? 0)
    }

    /// Appends expecting the version just read: if another process recorded the same
    /// transition meanwhile, this one is dropped rather than recorded twice.
    private func appendOnce(_ event: NewEvent, expecting version: Int64) async throws {
        do {
            _ = try await store.append([event], expectedVersion: version == 0 ? .noStream : .exactly(version))
        } catch let error as LedgerError where error.code == .wrongExpectedVersion {
            engine.logger.debug("drift transition already recorded", metadata: ["drift.stream": "\(event.stream)"])
        }
    }
}

/// What `status` and the metrics show of the last pass.
public struct LastPass: Sendable, Equatable, Codable {
    public var checkedAt: String
    public var servicesChecked: Int
    public var drifting: Int
    public var corrected: Int
    public var describeServicesCalls: Int
    public var minimumDescribeServicesCalls: Int
    public var describeTaskDefinitionCalls: Int

    public init(_ pass: Reconciler.Pass) {
        checkedAt = pass.drift.checkedAt
        servicesChecked = pass.drift.services.count
        drifting = pass.stillDrifting.count
        corrected = pass.corrections.filter { $0.outcome == .succeeded }.count
        describeServicesCalls = pass.drift.describeServicesCalls
        minimumDescribeServicesCalls = pass.drift.minimumDescribeServicesCalls
        describeTaskDefinitionCalls = pass.drift.describeTaskDefinitionCalls
    }

    /// One line for people.
    public var summary: String {
        "last reconcile pass at \(checkedAt): \(servicesChecked) services checked, \(drifting) drifting, \(corrected) corrected; "
            + "\(describeServicesCalls) DescribeServices calls (minimum \(minimumDescribeServicesCalls)), \(describeTaskDefinitionCalls) DescribeTaskDefinition"
    }
}
