import ECS
import Foundation
import Ledger
import Synchronization

/// Compares what the ledger says should run in each app and environment (the environment-state
/// projection) with what ECS runs.
///
/// A pass costs one DescribeServices call per 10 services of a cluster, plus one
/// DescribeTaskDefinition per revision it has not seen before: task definitions are immutable,
/// so they are cached by ARN for the detector's life.
public final class DriftDetector: Sendable {
    public let configuration: ShiplogConfiguration
    public let ecs: any ECSClient
    private let taskDefinitions = Mutex<[String: TaskDefinition]>([:])

    public init(configuration: ShiplogConfiguration, ecs: any ECSClient) {
        self.configuration = configuration
        self.ecs = ecs
    }

    /// Checks every configured service, or those of `app` and/or `environment`.
    public func check(store: EventStore, app: String? = nil, environment: String? = nil, now: Date) async throws -> DriftPass {
        if let app, configuration.apps[app] == nil { throw DeployError.unknownApp(app, known: configuration.apps.keys.sorted()) }
        let desired = Dictionary(
            try store.environmentStates().map { ("\($0.app)/\($0.environment)", $0) }, uniquingKeysWith: { first, _ in first })
        let targets = configuration.apps.values
            .filter { app == nil || $0.name == app }
            .flatMap { app in app.environments.values.filter { environment == nil || $0.name == environment }.map { (app, $0) } }
            .sorted { ($0.0.name, $0.1.name) < ($1.0.name, $1.1.name) }
        if let environment, targets.isEmpty {
            throw DeployError.unknownEnvironment(environment, app: app ?? "any app", known: Set(configuration.apps.values.flatMap(\.environments.keys)).sorted())
        }

        var describeCalls = 0, minimumCalls = 0, definitionCalls = 0
        var actual: [String: ECSService] = [:]
        var unreachable: [String: String] = [:]
        var firstError: (any Error)?
        for (cluster, entries) in Dictionary(grouping: targets, by: { $0.1.cluster }).sorted(by: { $0.key < $1.key }) {
            let names = entries.map(\.1.service)
            let calls = (names.count + describeServicesBatchLimit - 1) / describeServicesBatchLimit
            minimumCalls += calls
            describeCalls += calls
            do {
                for service in try await ecs.describeServices(cluster: cluster, services: names).services where service.status != "INACTIVE" {
                    actual["\(cluster)/\(service.name)"] = service
                }
            } catch {
                unreachable[cluster] = "DescribeServices on \(cluster) failed: \(error)"
                firstError = firstError ?? error
            }
        }

        func definition(_ arn: String) async throws -> TaskDefinition {
            if let cached = taskDefinitions.withLock({ $0[arn] }) { return cached }
            definitionCalls += 1
            let described = try await ecs.describeTaskDefinition(arn)
            taskDefinitions.withLock { $0[arn] = described }
            return described
        }

        var services: [ServiceDrift] = []
        for (app, place) in targets {
            var drift = ServiceDrift(
                app: app.name, environment: place.name, cluster: place.cluster, service: place.service, status: .inSync,
                differences: [], serviceMissing: false)
            if let reason = unreachable[place.cluster] {
                drift.status = .error
                drift.error = reason
                services.append(drift)
                continue
            }
            let state = desired["\(app.name)/\(place.name)"]
            let running = actual["\(place.cluster)/\(place.service)"]
            if let running { drift.actual = DeploymentResult.shortName(running.taskDefinition) }
            guard let state, let desiredArn = state.taskDefinitionArn else {
                drift.status = .untracked
                services.append(drift)
                continue
            }
            if state.deploymentInProgress != nil {
                drift.status = .deploying
                services.append(drift)
                continue
            }
            // One service that cannot be checked (its desired revision deleted, a throttled call)
            // is reported as such; the others are still checked.
            let wanted: TaskDefinition
            do {
                wanted = try await definition(desiredArn)
            } catch {
                firstError = firstError ?? error
                drift.status = .error
                drift.error = "DescribeTaskDefinition \(DeploymentResult.shortName(desiredArn)) failed: \(error)"
                services.append(drift)
                continue
            }
            let wantedImages = Dictionary(app.containers.compactMap { container in
                wanted.container(named: container.name).map { (container.name, $0.image) }
            }, uniquingKeysWith: { first, _ in first })
            drift.desiredTaskDefinition = desiredArn
            drift.desiredTag = state.tag
            drift.desiredImages = wantedImages
            drift.desired = Self.describe(desiredArn, wantedImages)
            guard let running else {
                drift.serviceMissing = true
                drift.differences = ["service \(place.service) is missing from cluster \(place.cluster) (or inactive)"]
                drift.status = .drifted
                services.append(drift)
                continue
            }
            if running.taskDefinition != desiredArn {
                drift.differences.append("task definition: \(DeploymentResult.shortName(desiredArn)) in the ledger, \(DeploymentResult.shortName(running.taskDefinition)) in ECS")
                guard let actualDefinition = try? await definition(running.taskDefinition) else {
                    drift.status = .error
                    drift.error = "DescribeTaskDefinition \(DeploymentResult.shortName(running.taskDefinition)) failed"
                    services.append(drift)
                    continue
                }
                var actualImages: [String: String] = [:]
                for (container, image) in wantedImages.sorted(by: { $0.key < $1.key }) {
                    let runningImage = actualDefinition.container(named: container)?.image
                    actualImages[container] = runningImage ?? "none"
                    if runningImage != image { drift.differences.append("image of \(container): \(image) in the ledger, \(runningImage ?? "no such container") in ECS") }
                }
                drift.actual = Self.describe(running.taskDefinition, actualImages)
            } else {
                drift.actual = drift.desired
            }
            if running.desiredCount == 0, !app.driftIgnore.contains("desired_count") {
                drift.differences.append("desired count is 0: the service runs nothing")
            }
            if !app.driftIgnore.contains("rollout"), running.deployments.count > 1 || running.primaryDeployment?.rolloutState == .inProgress {
                drift.differences.append("a rollout is in progress (\(running.deployments.count) deployments)")
            }
            drift.status = drift.differences.isEmpty ? .inSync : .drifted
            services.append(drift)
        }
        // Nothing checked is no pass: the error is the caller's (exit 1), as it was before any was.
        if let firstError, !services.isEmpty, services.allSatisfy({ $0.status == .error }) { throw firstError }
        return DriftPass(
            checkedAt: Timestamp.string(from: now), services: services, describeServicesCalls: describeCalls,
            minimumDescribeServicesCalls: minimumCalls, describeTaskDefinitionCalls: definitionCalls)
    }

    private static func describe(_ arn: String, _ images: [String: String]) -> String {
        ([DeploymentResult.shortName(arn)] + images.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
    }
}
