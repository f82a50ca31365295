import AWS
import Clocks
import ECS
import Foundation
import Synchronization

/// A deterministic, in-memory ECS with rollouts on a ``VirtualClock`` and injectable faults.
///
/// Rollouts follow ECS's rolling update with the deployment circuit breaker (rollback on):
/// UpdateService starts a PRIMARY deployment `IN_PROGRESS`; after `rolloutDuration` it is
/// `COMPLETED` and the older deployments are gone. A deployment whose image tag or service is
/// marked failing turns `FAILED` after `failureDetectionTime`, and the service rolls back to the
/// last completed task definition (a new PRIMARY deployment, no new revision), logging events
/// worded as ECS words them. State moves only when the clock does, and is brought up to date
/// on every call, so tests advance the clock and describe.
///
/// API faults (throttling, 5xx) are thrown as the same ``AWS/AWSError``s the real client gets
/// and go through the same ``AWS/RetryPolicy`` on the same clock.
///
/// ```swift
/// let clock = VirtualClock()
/// let ecs = SimulatedECS(clock: clock)
/// ecs.seedOpenverse()
/// ecs.failDeployments(withImageTag: "broken")
/// _ = try await ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: "staging-api:2")
/// clock.advance(by: .minutes(10))
/// ```
public final class SimulatedECS: ECSClient {
    /// How long rollouts take in virtual time.
    public struct Timing: Sendable {
        /// From UpdateService to a healthy, completed deployment.
        public var rolloutDuration: Duration
        /// From UpdateService to the circuit breaker failing a deployment whose tasks cannot start.
        public var failureDetectionTime: Duration
        /// From a deployment's creation to ECS starting its tasks.
        public var taskStartDelay: Duration

        public init(
            rolloutDuration: Duration = .seconds(180),
            failureDetectionTime: Duration = .seconds(300),
            taskStartDelay: Duration = .seconds(10)
        ) {
            self.rolloutDuration = rolloutDuration
            self.failureDetectionTime = failureDetectionTime
            self.taskStartDelay = taskStartDelay
        }
    }

    /// A failure of the API itself, as AWS would answer it.
    public enum APIFault: Sendable, Hashable, Codable {
        /// `ThrottlingException` "Rate exceeded" (HTTP 400), as ECS throttles.
        case throttling
        /// `ServerException` (HTTP 500).
        case serverError
    }

    public let clock: VirtualClock
    public let timing: Timing
    public let region: String
    public let accountID: String
    private let retry: RetryPolicy
    private let state = Mutex(State())

    /// - Parameters:
    ///   - clock: drives rollouts; retries back off on it too.
    ///   - retry: the real client's policy; its default jitter here is a constant, so runs repeat exactly.

    public init(
        clock: VirtualClock = VirtualClock(),
        timing: Timing = Timing(),
        retry: RetryPolicy = RetryPolicy(jitter: { 0.5 }),
        region: String = "us-east-1",
        accountID: String = "123456789012"
    ) {
        self.clock = clock
        self.timing = timing
        self.retry = retry
        self.region = region
        self.accountID = accountID
    }

    // MARK: Faults

    /// Makes every later deployment whose task definition uses an image with this tag fail to start.
    /// - Parameter tasks: how its tasks stop (``SimulatedTaskFailure``).
    public func failDeployments(withImageTag tag: String, tasks: SimulatedTaskFailure = .essentialContainerExit) {
        state.withLock {
            _ = $0.failingTags.insert(tag)
            $0.taskFailures = ($0.taskFailures ?? [:]).merging(["tag:\(tag)": tasks]) { $1 }
        }
    }

    /// Makes every later deployment of this service fail to start.
    /// - Parameter tasks: how its tasks stop (``SimulatedTaskFailure``).
    public func failDeployments(ofService service: String, tasks: SimulatedTaskFailure = .essentialContainerExit) {
        state.withLock {
            _ = $0.failingServices.insert(service)
            $0.taskFailures = ($0.taskFailures ?? [:]).merging(["service:\(service)": tasks]) { $1 }
        }
    }

    /// Removes the deployment faults.
    public func clearDeploymentFaults() {
        state.withLock {
            $0.failingTags.removeAll()
            $0.failingServices.removeAll()
        }
    }

    /// Makes the next `count` attempts of `operation` (such as `UpdateService`; nil for any) fail with `fault`.
    public func injectAPIFault(_ fault: APIFault, count: Int, operation: String? = nil) {
        state.withLock { $0.apiFaults.append(PendingAPIFault(fault: fault, operation: operation, remaining: count)) }
    }

    /// How many times `operation` was attempted, failed attempts included.
    public func attempts(of operation: String) -> Int {
        state.withLock { $0.attempts[operation, default: 0] }
    }

    // MARK: Persistence

    /// The simulated world (clusters, services, their deployments and events, task definitions,
    /// faults) as JSON, so a later process can carry on where this one stopped.
    public func exportState() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try state.withLock { try encoder.encode($0) }
    }

    /// Replaces the simulated world with one ``exportState()`` wrote.
    public func importState(_ data: Data) throws {
        let restored = try JSONDecoder().decode(State.self, from: data)
        state.withLock { $0 = restored }
    }

    // MARK: ECSClient

    public func createCluster(name: String) async throws -> ECSCluster {
        try await perform("CreateCluster") { state in
            if let existing = state.clusters[name] { return existing.cluster }
            let cluster = ECSCluster(name: name, arn: "arn:aws:ecs:\(region):\(accountID):cluster/\(name)", status: "ACTIVE")
            state.clusters[name] = ClusterState(cluster: cluster)
            return cluster
        }
    }

    public func describeTaskDefinition(_ reference: String) async throws -> TaskDefinition {
        try await perform("DescribeTaskDefinition") { state in
            try state.taskDefinition(reference)
        }
    }

    public func registerTaskDefinition(_ definition: TaskDefinition) async throws -> TaskDefinition {
        try await perform("RegisterTaskDefinition") { state in
            try register(definition, in: &state)
        }
    }

    public func listTaskDefinitions(family: String) async throws -> [String] {
        try await perform("ListTaskDefinitions") { state in
            (state.families[family] ?? []).filter { $0.status == "ACTIVE" }.compactMap(\.arn)
        }
    }

    public func createService(cluster: String, name: String, taskDefinition: String, desiredCount: Int) async throws -> ECSService {
        try await perform("CreateService") { state in
            try createService(cluster: cluster, name: name, taskDefinition: taskDefinition, desiredCount: desiredCount, steady: false, in: &state)
        }
    }

    public func updateService(cluster: String, service: String, taskDefinition: String) async throws -> ECSService {
        try await perform("UpdateService") { state in
            var record = try state.service(service, cluster: cluster)
            let definition = try state.taskDefinition(taskDefinition)
            guard let arn = definition.arn else { throw ECSError.taskDefinitionNotFound(taskDefinition) }
            settle(&record, in: &state)
            for index in record.deployments.indices where record.deployments[index].status == .primary {
                record.deployments[index].status = .active
                record.deployments[index].updatedAt = clock.now
            }
            let fails = willFail(definition, service: service, state: state)
            var deployment = newDeployment(taskDefinition: arn, desiredCount: record.desiredCount, failing: fails, in: &state)
            if fails { deployment.taskFailure = taskFailure(definition, service: service, state: state) }
            record.deployments.insert(deployment, at: 0)
            record.taskDefinition = arn
            state.clusters[cluster]!.services[service] = record
            return record.view
        }
    }

    public func describeServices(cluster: String, services: [String]) async throws -> ServiceDescriptions {
        var result = ServiceDescriptions(services: [], failures: [])
        var start = services.startIndex
        // One simulated call per 10 services, as the real client makes them.
        while start < services.endIndex {
            let end = min(start + describeServicesBatchLimit, services.endIndex)
            let batch = Array(services[start..<end])
            let answer = try await perform("DescribeServices") { state in
                guard state.clusters[cluster] != nil else { throw ECSError.clusterNotFound(cluster) }
                var answer = ServiceDescriptions(services: [], failures: [])
                for name in batch {
                    guard var record = state.clusters[cluster]!.services[name] else {
                        answer.failures.append(
                            ServiceFailure(arn: "arn:aws:ecs:\(region):\(accountID):service/\(cluster)/\(name)", reason: "MISSING")
                        )
                        continue
                    }
                    settle(&record, in: &state)
                    state.clusters[cluster]!.services[name] = record
                    answer.services.append(record.view)
                }
                return answer
            }
            result.services += answer.services
            result.failures += answer.failures
            start = end
        }
        return result
    }

    /// The simulation keeps the tasks that stopped (those of failing deployments), not the running ones.
    public func listTasks(cluster: String, _ query: TaskQuery) async throws -> [String] {
        try await perform("ListTasks") { state in
            guard let clusterState = state.clusters[cluster] else { throw ECSError.clusterNotFound(cluster) }
            guard query.desiredStatus == .stopped else { return [] }
            return clusterState.services.values.sorted { $0.name < $1.name }
                .filter { query.serviceName == nil || $0.name == query.serviceName }
                .flatMap { $0.stoppedTasks ?? [] }
                .filter { task in
                    (query.startedBy == nil || task.startedBy == query.startedBy)
                        && (query.family == nil || task.taskDefinitionArn.contains("task-definition/\(query.family ?? ""):"))
                }
                .map(\.taskArn)
        }
    }

    public func describeTasks(cluster: String, tasks: [String]) async throws -> [ECSTask] {
        try await perform("DescribeTasks") { state in
            guard let clusterState = state.clusters[cluster] else { throw ECSError.clusterNotFound(cluster) }
            let known = clusterState.services.values.flatMap { $0.stoppedTasks ?? [] }
            return tasks.compactMap { reference in known.first { $0.taskArn == reference || $0.taskId == reference } }
        }
    }

    // MARK: Seeding

    /// Seeds the setup of the Openverse deployment document, every service already steady.
    ///
    /// Clusters `staging-default` and `production-default`; for each environment the services
    /// `<env>-api` (containers `django` -> `ghcr.io/wordpress/openverse-api`, `nginx` ->
    /// `ghcr.io/wordpress/openverse-api_nginx`), `<env>-nuxt` (`nuxt` ->
    /// `ghcr.io/wordpress/openverse-frontend`) and `<env>-ingestion-server` (`ingestion_server` ->
    /// `ghcr.io/wordpress/openverse-ingestion_server`); for each, a template family
    /// `<service>-template` and a rendered family `<service>` whose revision 1 runs `initialTag`.
    public func seedOpenverse(initialTag: String = "rel-2024.01.01.00.00.00") {
        let apps: [(service: String, containers: [(name: String, image: String, port: Int)])] = [
            ("api", [("django", "ghcr.io/wordpress/openverse-api", 8000), ("nginx", "ghcr.io/wordpress/openverse-api_nginx", 8080)]),
            ("nuxt", [("nuxt", "ghcr.io/wordpress/openverse-frontend", 8443)]),
            ("ingestion-server", [("ingestion_server", "ghcr.io/wordpress/openverse-ingestion_server", 8001)]),
        ]
        state.withLock { state in
            for environment in ["staging", "production"] {
                let clusterName = "\(environment)-default"
                let cluster = ECSCluster(name: clusterName, arn: "arn:aws:ecs:\(region):\(accountID):cluster/\(clusterName)", status: "ACTIVE")
                state.clusters[clusterName] = state.clusters[clusterName] ?? ClusterState(cluster: cluster)
                for app in apps {
                    let serviceName = "\(environment)-\(app.service)"
                    let containers = app.containers.map { container in
                        ContainerDefinition(
                            name: container.name,
                            image: "\(container.image):latest",
                            environment: [EnvironmentVariable(name: "ENVIRONMENT", value: environment)],
                            raw: [
                                "essential": true,
                                "portMappings": [["containerPort": .number(Double(container.port)), "protocol": "tcp"]],
                                "logConfiguration": [
                                    "logDriver": "awslogs",
                                    "options": ["awslogs-group": .string("/ecs/\(serviceName)"), "awslogs-region": .string(region)],
                                ],
                            ]
                        )
                    }
                    let template = TaskDefinition(
                        family: "\(serviceName)-template",
                        containerDefinitions: containers,
                        raw: ["cpu": "512", "memory": "1024", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"]]
                    )
                    guard let registeredTemplate = try? register(template, in: &state),
                        let rendered = try? registeredTemplate.rendered(
                            images: Dictionary(uniqueKeysWithValues: app.containers.map { ($0.name, "\($0.image):\(initialTag)") })
                        ),
                        let running = try? register(rendered, in: &state),
                        let arn = running.arn
                    else { continue }
                    _ = try? createService(cluster: clusterName, name: serviceName, taskDefinition: arn, desiredCount: 1, steady: true, in: &state)
                }
            }
        }
    }

    // MARK: Internals

    /// One simulated API call: counts the attempt, throws an injected fault, else runs `body`
    /// under the lock; retried by the same policy as the real client.
    private func perform<Result: Sendable>(
        _ operation: String,
        _ body: @Sendable (inout State) throws -> Result
    ) async throws -> Result {
        try await retry.run(clock: clock) {
            try state.withLock { state in
                state.attempts[operation, default: 0] += 1
                if let index = state.apiFaults.firstIndex(where: { $0.operation == nil || $0.operation == operation }) {
                    let fault = state.apiFaults[index]
                    state.apiFaults[index].remaining -= 1
                    if state.apiFaults[index].remaining <= 0 { state.apiFaults.remove(at: index) }
                    throw apiError(fault.fault, operation: operation)
                }
                return try body(&state)
            }
        }
    }

    private func apiError(_ fault: APIFault, operation: String) -> AWSError {
        switch fault {
        case .throttling:
            AWSError(kind: .throttling, code: "ThrottlingException", message: "Rate exceeded", operation: "ecs:\(operation)", statusCode: 400)
        case .serverError:
            AWSError(kind: .serverError, code: "ServerException", message: "Service Unavailable. Please try again later.", operation: "ecs:\(operation)", statusCode: 500)
        }
    }

    private func register(_ definition: TaskDefinition, in state: inout State) throws -> TaskDefinition {
        guard !definition.family.isEmpty else { throw ECSError.invalidParameter("family must not be empty") }
        guard !definition.containerDefinitions.isEmpty else {
            throw ECSError.invalidParameter("task definition \(definition.family) has no container definitions")
        }
        let revision = (state.families[definition.family]?.count ?? 0) + 1
        var raw = definition.registrationInput
        raw["taskDefinitionArn"] = .string("arn:aws:ecs:\(region):\(accountID):task-definition/\(definition.family):\(revision)")
        raw["revision"] = .number(Double(revision))
        raw["status"] = "ACTIVE"
        raw["compatibilities"] = ["EC2", "FARGATE"]
        raw["requiresAttributes"] = [["name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"]]
        raw["registeredAt"] = .number(clock.now.timeIntervalSince1970)
        raw["registeredBy"] = .string("arn:aws:iam::\(accountID):user/shiplog")
        let registered = TaskDefinition(family: definition.family, containerDefinitions: definition.containerDefinitions, raw: raw)
        state.families[definition.family, default: []].append(registered)
        return registered
    }

    private func createService(
        cluster: String,
        name: String,
        taskDefinition: String,
        desiredCount: Int,
        steady: Bool,
        in state: inout State
    ) throws -> ECSService {
        guard state.clusters[cluster] != nil else { throw ECSError.clusterNotFound(cluster) }
        if let existing = state.clusters[cluster]!.services[name] {
            throw ECSError.invalidParameter("Creation of service was not idempotent: \(existing.name) already exists in cluster \(cluster)")
        }
        let definition = try state.taskDefinition(taskDefinition)
        guard let arn = definition.arn else { throw ECSError.taskDefinitionNotFound(taskDefinition) }
        var deployment = newDeployment(
            taskDefinition: arn,
            desiredCount: desiredCount,
            failing: !steady && willFail(definition, service: name, state: state),
            in: &state
        )
        if deployment.failing { deployment.taskFailure = taskFailure(definition, service: name, state: state) }
        var record = ServiceState(
            name: name,
            arn: "arn:aws:ecs:\(region):\(accountID):service/\(cluster)/\(name)",
            clusterArn: state.clusters[cluster]!.cluster.arn,
            taskDefinition: arn,
            desiredCount: desiredCount,
            deployments: [],
            events: []
        )
        if steady {
            deployment.rolloutState = .completed
            deployment.rolloutStateReason = "ECS deployment \(deployment.id) completed."
            deployment.runningCount = desiredCount
            deployment.pendingCount = 0
            deployment.startedEventLogged = true
            record.lastCompletedTaskDefinition = arn
            record.addEvent("(service \(name)) has reached a steady state.", at: clock.now, state: &state)
        }
        record.deployments = [deployment]
        state.clusters[cluster]!.services[name] = record
        return record.view
    }

    private func willFail(_ definition: TaskDefinition, service: String, state: State) -> Bool {
        if state.failingServices.contains(service) { return true }
        return definition.containerDefinitions.contains { state.failingTags.contains(Self.tag(ofImage: $0.image)) }
    }

    /// How the tasks of a failing deployment stop: as asked for the service, else for the first failing tag.
    private func taskFailure(_ definition: TaskDefinition, service: String, state: State) -> SimulatedTaskFailure {
        let modes = state.taskFailures ?? [:]
        if state.failingServices.contains(service), let mode = modes["service:\(service)"] { return mode }
        let tags = definition.containerDefinitions.map { Self.tag(ofImage: $0.image) }
        return tags.lazy.compactMap { modes["tag:\($0)"] }.first ?? .essentialContainerExit
    }

    /// The tag of `ghcr.io/wordpress/openverse-api:abc123` (`abc123`); `latest` when there is none.
    static func tag(ofImage image: String) -> String {
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return "latest" }
        return String(lastComponent[lastComponent.index(after: colon)...])
    }

    private func newDeployment(taskDefinition: String, desiredCount: Int, failing: Bool, in state: inout State) -> SimulatedDeployment {
        state.sequence += 1
        let id = "ecs-svc/\(1_000_000_000_000_000_000 + state.sequence * 7_919)"
        return SimulatedDeployment(
            deployment: ServiceDeployment(
                id: id,
                status: .primary,
                taskDefinition: taskDefinition,
                desiredCount: desiredCount,
                runningCount: 0,
                pendingCount: 0,
                rolloutState: .inProgress,
                rolloutStateReason: "ECS deployment \(id) in progress.",
                createdAt: clock.now,
                updatedAt: clock.now
            ),
            failing: failing
        )
    }

    /// Applies, in time order, every rollout step due by now, each stamped with its own time.
    private func settle(_ record: inout ServiceState, in state: inout State) {
        let now = clock.now
        while let index = record.deployments.firstIndex(where: { $0.status == .primary && $0.rolloutState == .inProgress }) {
            let deployment = record.deployments[index]
            let created = deployment.createdAt ?? now
            let startAt = created.addingTimeInterval(timing.taskStartDelay.timeInterval)
            let endAt = created.addingTimeInterval(
                (deployment.failing ? timing.failureDetectionTime : timing.rolloutDuration).timeInterval
            )
            if deployment.failing, (deployment.taskSteps ?? 0) < SimulatedTaskFailure.attempts * 2 {
                let step = deployment.taskSteps ?? 0
                let at = min(failingStepTime(step, created: created), endAt)
                guard at <= now else { return }
                failingTaskStep(step, at: index, of: &record, at: at, in: &state)
                continue
            }
            if !deployment.startedEventLogged {
                guard startAt <= now, startAt <= endAt else {
                    if endAt <= now { record.deployments[index].startedEventLogged = true; continue }
                    return
                }
                state.sequence += 1
                let taskID = hexID(state.sequence)
                record.deployments[index].startedEventLogged = true
                record.deployments[index].pendingCount = deployment.desiredCount
                record.deployments[index].updatedAt = startAt
                record.addEvent("(service \(record.name)) has started \(deployment.desiredCount) tasks: (task \(taskID)).", at: startAt, state: &state)
                continue
            }
            guard endAt <= now else { return }
            if deployment.failing {
                fail(at: index, of: &record, at: endAt, in: &state)
            } else {
                complete(at: index, of: &record, at: endAt, in: &state)
            }
        }
    }

    /// When step `step` of a failing deployment happens: task attempt `n` starts at step `2n` and
    /// stops at step `2n + 1`, the attempts spread evenly up to the circuit breaker's verdict.
    private func failingStepTime(_ step: Int, created: Date) -> Date {
        let start = timing.taskStartDelay.timeInterval
        let cycle = max(0, timing.failureDetectionTime.timeInterval - start) / Double(SimulatedTaskFailure.attempts)
        return created.addingTimeInterval(start + Double(step / 2) * cycle + Double(step % 2) * cycle / 2)
    }

    /// Starts the tasks of the next attempt, or stops them as the deployment's failure says,
    /// keeping the stopped tasks for ListTasks and DescribeTasks.
    private func failingTaskStep(_ step: Int, at index: Int, of record: inout ServiceState, at time: Date, in state: inout State) {
        let deployment = record.deployments[index]
        record.deployments[index].taskSteps = step + 1
        record.deployments[index].startedEventLogged = true
        record.deployments[index].updatedAt = time
        if step % 2 == 0 {
            let ids = (0..<max(1, deployment.desiredCount)).map { _ in
                state.sequence += 1
                return hexID(state.sequence)
            }
            record.deployments[index].runningTasks = ids
            record.deployments[index].pendingCount = ids.count
            let list = ids.map { "(task \($0))" }.joined(separator: " ")
            record.addEvent("(service \(record.name)) has started \(ids.count) tasks: \(list).", at: time, state: &state)
            return
        }
        let cluster = record.clusterArn.split(separator: "/").last.map(String.init) ?? ""
        let failure = deployment.taskFailure ?? .essentialContainerExit
        for id in deployment.runningTasks ?? [] {
            guard let definition = try? state.taskDefinition(deployment.taskDefinition) else { continue }
            record.stoppedTasks = (record.stoppedTasks ?? []) + [failure.stoppedTask(
                id: id, cluster: cluster, region: region, accountID: accountID, definition: definition, startedBy: deployment.id,
                service: record.name, createdAt: failingStepTime(step - 1, created: deployment.createdAt ?? time), stoppedAt: time)]
        }
        if let count = record.stoppedTasks?.count, count > 100 { record.stoppedTasks?.removeFirst(count - 100) }
        record.deployments[index].failedTasks += deployment.runningTasks?.count ?? 0
        record.deployments[index].pendingCount = 0
        record.deployments[index].runningTasks = []
        if step == 3 {
            record.addEvent(
                "(service \(record.name)) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
                at: time, state: &state)
        }
    }

    private func complete(at index: Int, of record: inout ServiceState, at time: Date, in state: inout State) {
        var deployment = record.deployments[index]
        deployment.rolloutState = .completed
        deployment.rolloutStateReason = "ECS deployment \(deployment.id) completed."
        deployment.runningCount = deployment.desiredCount
        deployment.pendingCount = 0
        deployment.updatedAt = time
        // The older deployments are drained and become INACTIVE, which DescribeServices omits.
        record.deployments = [deployment]
        record.taskDefinition = deployment.taskDefinition
        record.lastCompletedTaskDefinition = deployment.taskDefinition
        record.addEvent("(service \(record.name)) (deployment \(deployment.id)) deployment completed.", at: time, state: &state)
        record.addEvent("(service \(record.name)) has reached a steady state.", at: time, state: &state)
    }

    private func fail(at index: Int, of record: inout ServiceState, at time: Date, in state: inout State) {
        let failedID = record.deployments[index].id
        record.deployments[index].rolloutState = .failed
        record.deployments[index].rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start."
        record.deployments[index].failedTasks = max(1, record.deployments[index].desiredCount)
        record.deployments[index].pendingCount = 0
        record.deployments[index].updatedAt = time
        record.addEvent("(service \(record.name)) (deployment \(failedID)) deployment failed: tasks failed to start.", at: time, state: &state)
        guard let previous = record.lastCompletedTaskDefinition else { return }
        // The circuit breaker rolls back to the last completed task definition: a new PRIMARY
        // deployment of the old revision, no new revision registered.
        record.deployments[index].status = .active
        state.sequence += 1
        var rollback = SimulatedDeployment(
            deployment: ServiceDeployment(
                id: "ecs-svc/\(1_000_000_000_000_000_000 + state.sequence * 7_919)",
                status: .primary,
                taskDefinition: previous,
                desiredCount: record.desiredCount,
                runningCount: 0,
                rolloutState: .inProgress,
                rolloutStateReason: "ECS deployment circuit breaker: rolling back to the last completed deployment.",
                createdAt: time,
                updatedAt: time
            ),
            failing: false
        )
        rollback.isRollback = true
        record.deployments.insert(rollback, at: 0)
        record.taskDefinition = previous
        record.addEvent("(service \(record.name)) rolling back to deployment \(rollback.id).", at: time, state: &state)
    }
}

// MARK: - State

private struct State: Sendable, Codable {
    var clusters: [String: ClusterState] = [:]
    var families: [String: [TaskDefinition]] = [:]
    var failingTags: Set<String> = []
    var failingServices: Set<String> = []
    var apiFaults: [PendingAPIFault] = []
    /// How failing deployments' tasks stop, by `tag:<tag>` or `service:<name>` (optional: worlds saved before it decode).
    var taskFailures: [String: SimulatedTaskFailure]?
    var attempts: [String: Int] = [:]
    var sequence = 0

    /// Looks up `family`, `family:revision` or a task definition ARN.
    func taskDefinition(_ reference: String) throws -> TaskDefinition {
        let name = reference.split(separator: "/").last.map(String.init) ?? reference
        let parts = name.split(separator: ":")
        guard let family = parts.first.map(String.init), let revisions = families[family], parts.count <= 2 else {
            throw ECSError.taskDefinitionNotFound(reference)
        }
        if parts.count == 2 {
            guard let revision = Int(parts[1]), revision >= 1, revision <= revisions.count else {
                throw ECSError.taskDefinitionNotFound(reference)
            }
            return revisions[revision - 1]
        }
        guard let latest = revisions.last(where: { $0.status == "ACTIVE" }) else {
            throw ECSError.taskDefinitionNotFound(reference)
        }
        return latest
    }

    func service(_ name: String, cluster: String) throws -> ServiceState {
        guard let clusterState = clusters[cluster] else { throw ECSError.clusterNotFound(cluster) }
        guard let service = clusterState.services[name] else { throw ECSError.serviceNotFound(name, cluster: cluster) }
        return service
    }
}

private struct ClusterState: Sendable, Codable {
    var cluster: ECSCluster
    var services: [String: ServiceState] = [:]
}

private struct PendingAPIFault: Sendable, Codable {
    var fault: SimulatedECS.APIFault
    var operation: String?
    var remaining: Int
}

private struct SimulatedDeployment: Sendable, Codable {
    var deployment: ServiceDeployment
    var failing: Bool
    var startedEventLogged = false
    var isRollback = false
    /// How its tasks stop when it is failing.
    var taskFailure: SimulatedTaskFailure?
    /// How many task starts and stops of a failing deployment have happened.
    var taskSteps: Int?
    /// The ids of the tasks of the attempt under way.
    var runningTasks: [String]?

    init(deployment: ServiceDeployment, failing: Bool) {
        self.deployment = deployment
        self.failing = failing
    }

    var id: String { deployment.id }
    var status: ServiceDeployment.Status {
        get { deployment.status }
        set { deployment.status = newValue }
    }
    var rolloutState: ServiceDeployment.RolloutState? {
        get { deployment.rolloutState }
        set { deployment.rolloutState = newValue }
    }
    var rolloutStateReason: String? {
        get { deployment.rolloutStateReason }
        set { deployment.rolloutStateReason = newValue }
    }
    var taskDefinition: String { deployment.taskDefinition }
    var desiredCount: Int { deployment.desiredCount }
    var runningCount: Int {
        get { deployment.runningCount }
        set { deployment.runningCount = newValue }
    }
    var pendingCount: Int {
        get { deployment.pendingCount }
        set { deployment.pendingCount = newValue }
    }
    var failedTasks: Int {
        get { deployment.failedTasks }
        set { deployment.failedTasks = newValue }
    }
    var createdAt: Date? { deployment.createdAt }
    var updatedAt: Date? {
        get { deployment.updatedAt }
        set { deployment.updatedAt = newValue }
    }
}

private struct ServiceState: Sendable, Codable {
    var name: String
    var arn: String
    var clusterArn: String
    var taskDefinition: String
    var desiredCount: Int
    var deployments: [SimulatedDeployment]
    var events: [ServiceEvent]
    var lastCompletedTaskDefinition: String?
    /// Its tasks that stopped, oldest first; ECS keeps them about an hour, the simulation the last 100.
    var stoppedTasks: [ECSTask]?

    init(
        name: String,
        arn: String,
        clusterArn: String,
        taskDefinition: String,
        desiredCount: Int,
        deployments: [SimulatedDeployment],
        events: [ServiceEvent]
    ) {
        self.name = name
        self.arn = arn
        self.clusterArn = clusterArn
        self.taskDefinition = taskDefinition
        self.desiredCount = desiredCount
        self.deployments = deployments
        self.events = events
    }

    /// Adds an event at the head of the log; ECS keeps the newest 100.
    mutating func addEvent(_ message: String, at time: Date, state: inout State) {
        state.sequence += 1
        let hex = hexID(state.sequence)
        let id = "\(hex.prefix(8))-\(hex.dropFirst(8).prefix(4))-\(hex.dropFirst(12).prefix(4))-\(hex.dropFirst(16).prefix(4))-\(hex.suffix(12))"
        events.insert(ServiceEvent(id: id, createdAt: time, message: message), at: 0)
        if events.count > 100 { events.removeLast(events.count - 100) }
    }

    var view: ECSService {
        let running = deployments.reduce(0) { $0 + $1.runningCount }
        let pending = deployments.reduce(0) { $0 + $1.pendingCount }
        return ECSService(
            name: name,
            arn: arn,
            clusterArn: clusterArn,
            status: "ACTIVE",
            taskDefinition: taskDefinition,
            desiredCount: desiredCount,
            runningCount: running,
            pendingCount: pending,
            deployments: deployments.map(\.deployment),
            events: events
        )
    }
}

/// A 32-digit hexadecimal identifier derived from a sequence number, like ECS task IDs.
private func hexID(_ sequence: Int) -> String {
    let mixed = UInt64(truncatingIfNeeded: sequence) &* 0x9E37_79B9_7F4A_7C15
    let high = String(mixed, radix: 16)
    let low = String(mixed ^ 0xDEAD_BEEF_CAFE_F00D, radix: 16)
    return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
}
