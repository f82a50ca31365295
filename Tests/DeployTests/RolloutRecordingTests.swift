import AWS
import Deploy
import ECS
import Foundation
import Ledger
import NIOHTTP1
import Simulation
import Synchronization
import TestSupport
import Testing

/// What ECS says during our rollout reaches the ledger: the service events it writes (once each,
/// only those from our deployment on) and, when the rollout fails, the stopped tasks of our
/// revision with their reasons and exit codes. Against a loopback endpoint speaking ECS's JSON 1.1
/// protocol through the real AWS driver.
@Suite struct RolloutRecordingTests {
    typealias Shapes = ECSConsistencyTests
    static let created = 1.7960e9

    /// A service event as DescribeServices lists it.
    static func event(_ id: String, after seconds: Double, _ message: String) -> String {
        #"{"id":"\#(id)","createdAt":\#(created + seconds),"message":"\#(message)"}"#
    }

    /// The service, its deployments newest first, and its event log newest first.
    static func service(_ arn: String, _ deployments: [String], events: [String]) -> String {
        #"{"serviceName":"staging-api","serviceArn":"arn:aws:ecs:us-east-1:\#(Shapes.account):service/staging-default/staging-api","clusterArn":"arn:aws:ecs:us-east-1:\#(Shapes.account):cluster/staging-default","status":"ACTIVE","taskDefinition":"\#(arn)","desiredCount":1,"runningCount":1,"pendingCount":0,"launchType":"FARGATE","deployments":[\#(deployments.joined(separator: ","))],"events":[\#(events.joined(separator: ","))]}"#
    }

    static let before = event("0b7e1e55-0000-4000-8000-000000000000", after: -86_400, "(service staging-api) has reached a steady state.")
    static let started = event("5f3c9a10-1111-4111-8111-111111111111", after: 12, "(service staging-api) has started 1 tasks: (task 0f3a6c2b9e8d4f7a8b1c2d3e4f5a6b7c).")
    static let completed = event("8d2f4b6a-2222-4222-8222-222222222222", after: 185, "(service staging-api) (deployment ecs-svc/2) deployment completed.")
    static let steady = event("9e3a5c7b-3333-4333-8333-333333333333", after: 186, "(service staging-api) has reached a steady state.")
    static let oldOnly = Shapes.deployment("1", "PRIMARY", Shapes.old, rollout: "COMPLETED", running: 1)
    static let oursRolling = [Shapes.deployment("2", "PRIMARY", Shapes.new, rollout: "IN_PROGRESS", running: 0), oldOnly.replacingOccurrences(of: "PRIMARY", with: "ACTIVE")]
    static let oursDone = [Shapes.deployment("2", "PRIMARY", Shapes.new, rollout: "COMPLETED", running: 1)]

    /// ECS with DescribeServices answers in turn (the last again once they run out) and a fixed
    /// ListTasks and DescribeTasks answer.
    final class Endpoint: Sendable {
        let reads: [String]
        let taskArns: [String]
        let tasks: [String]
        let describeCalls = Mutex(0)
        let requests = Mutex<[String: [String]]>([:])

        init(reads: [String], taskArns: [String] = [], tasks: [String] = []) {
            self.reads = reads
            self.taskArns = taskArns
            self.tasks = tasks
        }

        func answer(_ request: ReceivedRequest) -> CannedResponse {
            let operation = request.headers.first(name: "X-Amz-Target")?.split(separator: ".").last.map(String.init) ?? ""
            requests.withLock { $0[operation, default: []].append(request.body) }
            let body: String
            switch operation {
            case "DescribeTaskDefinition": body = Shapes.template
            case "RegisterTaskDefinition": body = Shapes.registered
            case "UpdateService": body = #"{"service":\#(RolloutRecordingTests.service(Shapes.new, RolloutRecordingTests.oursRolling, events: [RolloutRecordingTests.before]))}"#
            case "DescribeServices":
                let index = describeCalls.withLock { count in
                    defer { count += 1 }
                    return min(count, reads.count - 1)
                }
                body = #"{"services":[\#(reads[index])],"failures":[]}"#
            case "ListTasks": body = #"{"taskArns":[\#(taskArns.map { "\"\($0)\"" }.joined(separator: ","))]}"#
            case "DescribeTasks": body = #"{"tasks":[\#(tasks.joined(separator: ","))],"failures":[]}"#
            default:
                return CannedResponse(status: .badRequest, headers: [("Content-Type", "application/x-amz-json-1.1")],
                                      body: #"{"__type":"InvalidParameterException","message":"unexpected \#(operation)"}"#)
            }
            return CannedResponse(status: .ok, headers: [("Content-Type", "application/x-amz-json-1.1")], body: body)
        }

        func bodies(_ operation: String) -> [String] { requests.withLock { $0[operation] ?? [] } }
    }

    /// A ledger and an engine whose ECS is `endpoint`, through the real AWS driver.
    struct Rig {
        let harness: Harness
        let server: LoopbackHTTPServer

        init(_ endpoint: Endpoint) async throws {
            try await self.init { endpoint.answer($0) }
        }

        init(_ respond: @escaping @Sendable (ReceivedRequest) -> CannedResponse) async throws {
            server = try await LoopbackHTTPServer.start(respond)
            harness = try await Harness { $0.apps["api"]?.environments["staging"]?.versionEndpoint = nil }
        }

        func engine() throws -> DeploymentEngine {
            let ecs = AWSECSClient(configuration: AWSClientConfiguration(
                region: "us-east-1", endpoint: try #require(URL(string: server.baseURL)),
                credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
                retry: RetryPolicy(maxAttempts: 2, maxTotalTime: .seconds(5)), timeout: .seconds(10)))
            let registry = harness.world.registry
            return DeploymentEngine(
                configuration: harness.configuration, store: harness.store,
                drivers: DeployDrivers(ecs: ecs, registry: { _ in registry }, versions: SimulatedVersionEndpoint(ecs: harness.world.ecs, configuration: harness.configuration)),
                clock: harness.clock)
        }

        func recorded<Payload: EventPayload>(_ type: Payload.Type, in id: String) throws -> [Payload] {
            try harness.store.events(EventFilter(stream: id)).filter { $0.type == Payload.eventType }.map { try Payload.decode(from: $0.data) }
        }
    }

    static let successfulRollout = [
        // Eventually consistent: the first read does not show our deployment yet.
        service(Shapes.old, [oldOnly], events: [before]),
        service(Shapes.new, oursRolling, events: [started, before]),
        service(Shapes.new, oursRolling, events: [started, before]),
        service(Shapes.new, oursDone, events: [steady, completed, started, before]),
    ]

    @Test func theServiceEventsOfOurRolloutAreRecordedOnceEachOldestFirst() async throws {
        let endpoint = Endpoint(reads: Self.successfulRollout)
        let rig = try await Rig(endpoint)
        let result = try await rig.engine().deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        #expect(result.outcome == .succeeded)
        let reported = try rig.recorded(ServiceEventReported.self, in: result.id)
        #expect(reported.map(\.message) == [
            "(service staging-api) has started 1 tasks: (task 0f3a6c2b9e8d4f7a8b1c2d3e4f5a6b7c).",
            "(service staging-api) (deployment ecs-svc/2) deployment completed.",
            "(service staging-api) has reached a steady state.",
        ], "the steady state from before our update is not ours; repeated polls record nothing twice")
        #expect(reported.first?.ecsEventId == "5f3c9a10-1111-4111-8111-111111111111")
        #expect(reported.first?.createdAt == Timestamp.string(from: Date(timeIntervalSince1970: Self.created + 12)), "ECS's time, in the data")
        #expect(reported.allSatisfy { $0.ecsDeploymentId == "ecs-svc/2" })
        #expect(endpoint.describeCalls.withLock { $0 } == 4)
        #expect(try rig.harness.types(result.id).last == "DeploymentStable")
        #expect(endpoint.bodies("ListTasks").isEmpty, "a stable rollout asks for no stopped tasks")
    }

    @Test func aResumedDeploymentRecordsNoECSEventTwice() async throws {
        let endpoint = Endpoint(reads: Self.successfulRollout)
        let rig = try await Rig(endpoint)
        var crashing = try rig.engine()
        crashing.afterStep = { step, _ in if step == .stabilized { throw DeployError.crashed(after: step) } }
        await #expect(throws: DeployError.self) {
            try await crashing.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        }
        let id = "deployment-api-staging-1"
        #expect(try rig.recorded(ServiceEventReported.self, in: id).count == 3)

        let result = try await rig.engine().resume(id, metadata: Harness.ana)
        #expect(result.outcome == .succeeded)
        #expect(endpoint.describeCalls.withLock { $0 } == 5, "the resumed flow read the service again")
        let ids = try rig.recorded(ServiceEventReported.self, in: id).map(\.ecsEventId)
        #expect(ids.count == 3)
        #expect(Set(ids).count == ids.count)
    }

    static func stoppedTask(_ id: String, code: String, reason: String, containers: String) -> String {
        #"{"taskArn":"arn:aws:ecs:us-east-1:\#(Shapes.account):task/staging-default/\#(id)","taskDefinitionArn":"\#(Shapes.new)","clusterArn":"arn:aws:ecs:us-east-1:\#(Shapes.account):cluster/staging-default","lastStatus":"STOPPED","desiredStatus":"STOPPED","startedBy":"ecs-svc/2","group":"service:staging-api","launchType":"FARGATE","cpu":"512","memory":"1024","stopCode":"\#(code)","stoppedReason":"\#(reason)","createdAt":\#(created + 12),"stoppingAt":\#(created + 60),"stoppedAt":\#(created + 70),"version":4,"containers":[\#(containers)]}"#
    }

    static let pullError = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/wordpress/openverse-api:3f9c2e1: not found"

    @Test func aRolledBackRolloutRecordsItsStoppedTasksWithReasonsAndExitCodes() async throws {
        let failed = "ECS deployment circuit breaker: tasks failed to start."
        let taskA = "0f3a6c2b9e8d4f7a8b1c2d3e4f5a6b7c", taskB = "1a2b3c4d5e6f40718293a4b5c6d7e8f9"
        let endpoint = Endpoint(
            reads: [
                Self.service(Shapes.new, Self.oursRolling, events: [Self.started, Self.before]),
                Self.service(Shapes.old, [
                    Shapes.deployment("3", "PRIMARY", Shapes.old, rollout: "IN_PROGRESS", running: 1, reason: "ECS deployment circuit breaker: rolling back to the last completed deployment."),
                    Shapes.deployment("2", "ACTIVE", Shapes.new, rollout: "FAILED", running: 0, failed: 3, reason: failed),
                ], events: [
                    Self.event("c4d5e6f7-4444-4444-8444-444444444444", after: 301, "(service staging-api) rolling back to deployment ecs-svc/3."),
                    Self.event("d5e6f7a8-5555-4555-8555-555555555555", after: 300, "(service staging-api) (deployment ecs-svc/2) deployment failed: tasks failed to start."),
                    Self.started, Self.before,
                ]),
            ],
            taskArns: ["arn:aws:ecs:us-east-1:\(Shapes.account):task/staging-default/\(taskA)", "arn:aws:ecs:us-east-1:\(Shapes.account):task/staging-default/\(taskB)"],
            tasks: [
                Self.stoppedTask(taskA, code: "TaskFailedToStart", reason: Self.pullError, containers: #"{"name":"django","lastStatus":"STOPPED","reason":"\#(Self.pullError)"},{"name":"nginx","lastStatus":"STOPPED"}"#),
                Self.stoppedTask(taskB, code: "EssentialContainerExited", reason: "Essential container in task exited",
                                 containers: #"{"name":"django","lastStatus":"STOPPED","exitCode":1},{"name":"nginx","lastStatus":"STOPPED","exitCode":0}"#),
            ])
        let rig = try await Rig(endpoint)
        let result = try await rig.engine().deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        #expect(result.outcome == .rolledBack)

        let list = try #require(endpoint.bodies("ListTasks").first)
        #expect(list.contains(#""startedBy":"ecs-svc/2""#), "the tasks our ECS deployment started: \(list)")
        #expect(list.contains(#""desiredStatus":"STOPPED""#))
        #expect(try #require(endpoint.bodies("DescribeTasks").first).contains(taskB))

        let stopped = try rig.recorded(TaskStopped.self, in: result.id)
        #expect(stopped.map(\.taskId) == [taskA, taskB])
        #expect(stopped[0].stopCode == "TaskFailedToStart")
        #expect(stopped[0].stoppedReason == Self.pullError)
        #expect(stopped[0].containers == [TaskStopped.Container(name: "django", reason: Self.pullError), TaskStopped.Container(name: "nginx")])
        #expect(stopped[1].stoppedReason == "Essential container in task exited")
        #expect(stopped[1].containers.map(\.exitCode) == [1, 0])
        #expect(stopped[1].stoppedAt == Timestamp.string(from: Date(timeIntervalSince1970: Self.created + 70)))

        let types = try rig.harness.types(result.id)
        #expect(types.suffix(4) == ["TaskStopped", "TaskStopped", "RolledBackAutomatically", "DeploymentFailed"])
        let messages = try rig.recorded(ServiceEventReported.self, in: result.id).map(\.message)
        #expect(messages.contains("(service staging-api) (deployment ecs-svc/2) deployment failed: tasks failed to start."))
        #expect(messages.count == 3)
    }

    @Test func stoppedTasksECSCannotListLeaveTheOutcomeAsItWas() async throws {
        // The endpoint refuses ListTasks, as ECS refuses a role without ecs:ListTasks.
        let endpoint = Endpoint(reads: [Self.service(Shapes.old, [
            Shapes.deployment("3", "PRIMARY", Shapes.old, rollout: "IN_PROGRESS", running: 1),
            Shapes.deployment("2", "ACTIVE", Shapes.new, rollout: "FAILED", running: 0, failed: 3, reason: "ECS deployment circuit breaker: tasks failed to start."),
        ], events: [Self.started])])
        let rig = try await Rig { request in
            guard request.headers.first(name: "X-Amz-Target")?.hasSuffix("ListTasks") == true else { return endpoint.answer(request) }
            return CannedResponse(status: .badRequest, headers: [("Content-Type", "application/x-amz-json-1.1")],
                                  body: #"{"__type":"AccessDeniedException","message":"User is not authorized to perform: ecs:ListTasks"}"#)
        }
        let engine = try rig.engine()
        let harness = rig.harness
        let result = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        #expect(result.outcome == .rolledBack)
        #expect(try harness.types(result.id).suffix(2) == ["RolledBackAutomatically", "DeploymentFailed"])
        #expect(!(try harness.types(result.id)).contains("TaskStopped"))
    }
}

/// The simulated ECS tells a failed rollout as ECS does, and the engine records it.
@Suite struct SimulatedRolloutRecordingTests {
    @Test(arguments: SimulatedTaskFailure.allCases)
    func aFailedSimulatedRolloutLeavesItsServiceEventsAndStoppedTasksInTheLedger(failure: SimulatedTaskFailure) async throws {
        let harness = try await Harness()
        harness.world.ecs.failDeployments(withImageTag: "a1b2c3d", tasks: failure)
        let result = try await harness.engine().deploy(app: "api", environment: "staging", tag: "a1b2c3d", metadata: Harness.cara)
        #expect(result.outcome == .rolledBack)

        let events = try harness.store.events(EventFilter(stream: result.id))
        let messages = try events.filter { $0.type == ServiceEventReported.eventType }.map { try ServiceEventReported.decode(from: $0.data).message }
        #expect(messages.filter { $0.hasPrefix("(service staging-api) has started 1 tasks: (task ") }.count == 3, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("(service staging-api) is unable to consistently start tasks successfully.") })
        #expect(messages.contains { $0.hasPrefix("(service staging-api) (deployment ecs-svc/") && $0.hasSuffix(") deployment failed: tasks failed to start.") })

        let stopped = try events.filter { $0.type == TaskStopped.eventType }.map { try TaskStopped.decode(from: $0.data) }
        #expect(stopped.count == 3)
        #expect(stopped.allSatisfy { $0.taskDefinitionArn == result.taskDefinitionArn })
        #expect(stopped.allSatisfy { $0.containers.map(\.name) == ["django", "nginx"] })
        switch failure {
        case .imagePull:
            #expect(stopped.allSatisfy { $0.stopCode == "TaskFailedToStart" })
            #expect(stopped.allSatisfy { $0.stoppedReason?.hasPrefix("CannotPullContainerError: ") == true })
            #expect(stopped.allSatisfy { $0.containers[0].exitCode == nil && $0.containers[0].reason?.hasPrefix("CannotPullContainerError") == true })
        case .essentialContainerExit:
            #expect(stopped.allSatisfy { $0.stopCode == "EssentialContainerExited" && $0.stoppedReason == "Essential container in task exited" })
            #expect(stopped.allSatisfy { $0.containers.map(\.exitCode) == [1, 0] })
        }
        #expect(try await harness.engine().resume(result.id, metadata: Harness.ana) == result)
        #expect(try harness.store.events(EventFilter(stream: result.id)).count == events.count, "a closed deployment records nothing more")
    }
}
