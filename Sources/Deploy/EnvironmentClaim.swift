import Foundation
import Ledger

/// One deployment at a time per app and environment.
///
/// A deployment first appends `DeploymentClaimed` to `environment-<app>-<env>` expecting the
/// stream version it read just before; of two racing deploys the second append is refused by
/// the event store, and that deploy is refused naming the one in flight. Never interleaved,
/// never a lock that outlives the ledger: the claim is an event like any other.
public struct EnvironmentClaim: Sendable {
    /// The deployment holding an environment.
    public struct Holder: Sendable, Equatable {
        public var deploymentId: String
        public var owner: String
        public var instance: String?
        public var trigger: DeploymentTrigger?
    }

    /// What the environment stream says now.
    struct Reading {
        var holder: Holder?
        var version: Int64
        /// The deployments that ever claimed the environment (a resumed one claims again).
        var deployments: Set<String>
    }

    let store: EventStore

    public init(store: EventStore) {
        self.store = store
    }

    public static func stream(app: String, environment: String) -> String {
        "environment-\(app)-\(environment)"
    }

    /// The deployment holding the environment, if any.
    public func holder(app: String, environment: String) throws -> Holder? {
        try read(app: app, environment: environment).holder
    }

    func read(app: String, environment: String) throws -> Reading {
        var reading = Reading(holder: nil, version: 0, deployments: [])
        for event in try store.events(EventFilter(stream: Self.stream(app: app, environment: environment))) {
            reading.version = event.version
            switch event.type {
            case DeploymentClaimed.eventType:
                let claim = try DeploymentClaimed.decode(from: event.data)
                reading.deployments.insert(claim.deploymentId)
                reading.holder = Holder(deploymentId: claim.deploymentId, owner: claim.owner, instance: claim.instance, trigger: claim.trigger)
            case DeploymentClaimReleased.eventType:
                let release = try DeploymentClaimReleased.decode(from: event.data)
                if reading.holder?.deploymentId == release.deploymentId { reading.holder = nil }
            default:
                break
            }
        }
        return reading
    }

    /// Takes the environment for a new deployment and returns its id (`deployment-api-staging-4`).
    ///
    /// - Throws: ``DeployError/busy(app:environment:inFlight:detail:)`` naming the deployment in flight.
    func acquire(
        app: String, environment: String, trigger: DeploymentTrigger, owner: String, instance: String, metadata: EventMetadata
    ) async throws -> String {
        for _ in 0..<3 {
            let reading = try read(app: app, environment: environment)
            if let holder = reading.holder { throw try busy(app, environment, holder) }
            let id = "deployment-\(app)-\(environment)-\(reading.deployments.count + 1)"
            let claim = DeploymentClaimed(deploymentId: id, app: app, environment: environment, owner: owner, instance: instance, trigger: trigger)
            do {
                _ = try await store.append(
                    [NewEvent(stream: Self.stream(app: app, environment: environment), claim, metadata: metadata)],
                    expectedVersion: reading.version == 0 ? .noStream : .exactly(reading.version))
                return id
            } catch let error as LedgerError where error.isWrongExpectedVersion {
                // Someone appended since the read: whoever it was, read again and decide on what is there now.
                continue
            }
        }
        let reading = try read(app: app, environment: environment)
        if let holder = reading.holder { throw try busy(app, environment, holder) }
        throw DeployError.badRequest("\(app) \(environment): the environment kept changing while claiming it; try again")
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
        } catch let error as LedgerError where error.isWrongExpectedVersion {
            throw DeployError.stillRunning(deploymentId, owner: "another process that is resuming it")
        }
    }

    /// Lets the next deployment go; does nothing when `deploymentId` no longer holds the environment.
    func release(app: String, environment: String, deploymentId: String, outcome: String, metadata: EventMetadata) async throws {
        guard try holder(app: app, environment: environment)?.deploymentId == deploymentId else { return }
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
