import AWS
import Deploy
import ECS
import Foundation
import Ledger
import NIOHTTP1
import PropertyBased
import Synchronization
import TestSupport
import Testing

/// Random interleavings of what ECS answers while a deployment is followed — stale reads,
/// throttling, server errors, an expired token, the rollout in progress — before ECS settles on
/// what it finally did. Whatever the order, the ledger records what ECS finally did, once.
@Suite struct ECSInterleavingPropertyTests {
    static let account = "123456789012"
    static let old = "arn:aws:ecs:us-east-1:\(account):task-definition/staging-api:1"
    static let new = "arn:aws:ecs:us-east-1:\(account):task-definition/staging-api:2"
    static let other = "arn:aws:ecs:us-east-1:\(account):task-definition/staging-api:3"
    static let rollingBack = "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1."
    static let tasksFailed = "ECS deployment circuit breaker: tasks failed to start."

    /// What ECS finally did.
    enum Truth: CaseIterable {
        case stable
        /// The circuit breaker failed ours and rolls back; ours still listed as FAILED.
        case rolledBack
        /// The same, once the rollback completed and ECS no longer lists ours.
        case rolledBackAndGone
        /// Someone else updated the service while ours rolled out.
        case replaced
        /// The credentials expired after UpdateService and never came back.
        case credentialsGone

        var expected: DeploymentOutcome {
            switch self {
            case .stable: .succeeded
            case .rolledBack, .rolledBackAndGone: .rolledBack
            case .replaced: .failed
            case .credentialsGone: .inProgress
            }
        }
    }

    /// One answer to DescribeServices.
    enum Answer: Equatable {
        case stale, inProgress, throttled, serverError, expired
        case final(Truth)
    }

    /// Deployment 1 runs revision 1 (the one before ours), 2 is ours, 3 the one after it.
    static func deployment(_ n: Int, _ status: String, _ arn: String, rollout: String, running: Int, reason: String? = nil) -> String {
        let why = reason.map { #","rolloutStateReason":"\#($0)""# } ?? ""
        return #"{"id":"ecs-svc/\#(n)","status":"\#(status)","taskDefinition":"\#(arn)","desiredCount":1,"pendingCount":0,"runningCount":\#(running),"failedTasks":0,"createdAt":\#(1_796_000_000 + n * 600),"updatedAt":1796003000,"launchType":"FARGATE","rolloutState":"\#(rollout)"\#(why)}"#
    }

    static func service(_ arn: String, _ deployments: String...) -> String {
        #"{"serviceName":"staging-api","serviceArn":"arn:aws:ecs:us-east-1:\#(account):service/staging-default/staging-api","clusterArn":"arn:aws:ecs:us-east-1:\#(account):cluster/staging-default","status":"ACTIVE","taskDefinition":"\#(arn)","desiredCount":1,"runningCount":1,"pendingCount":0,"launchType":"FARGATE","deployments":[\#(deployments.joined(separator: ","))],"events":[]}"#
    }

    static let updated = service(new, deployment(2, "PRIMARY", new, rollout: "IN_PROGRESS", running: 0), deployment(1, "ACTIVE", old, rollout: "COMPLETED", running: 1))

    static func response(_ answer: Answer) -> CannedResponse {
        let json = [("Content-Type", "application/x-amz-json-1.1")]
        func error(_ status: HTTPResponseStatus, _ type: String, _ message: String) -> CannedResponse {
            CannedResponse(status: status, headers: json, body: #"{"__type":"\#(type)","message":"\#(message)"}"#)
        }
        let body: String
        switch answer {
        case .throttled: return error(.badRequest, "ThrottlingException", "Rate exceeded")
        case .serverError: return error(.internalServerError, "ServerException", "Service unavailable")
        case .expired, .final(.credentialsGone):
            return error(.badRequest, "ExpiredTokenException", "The security token included in the request is expired")
        case .stale: body = service(old, deployment(1, "PRIMARY", old, rollout: "COMPLETED", running: 1))
        case .inProgress: body = updated
        case .final(.stable): body = service(new, deployment(2, "PRIMARY", new, rollout: "COMPLETED", running: 1))
        case .final(.rolledBack):
            body = service(old, deployment(3, "PRIMARY", old, rollout: "IN_PROGRESS", running: 1, reason: rollingBack),
                           deployment(2, "ACTIVE", new, rollout: "FAILED", running: 0, reason: tasksFailed))
        case .final(.rolledBackAndGone):
            body = service(old, deployment(3, "PRIMARY", old, rollout: "COMPLETED", running: 1, reason: rollingBack))
        case .final(.replaced):
            body = service(other, deployment(3, "PRIMARY", other, rollout: "IN_PROGRESS", running: 0),
                           deployment(2, "ACTIVE", new, rollout: "IN_PROGRESS", running: 0))
        }
        return CannedResponse(status: .ok, headers: json, body: #"{"services":[\#(body)],"failures":[]}"#)
    }

    /// A random script: up to a dozen noisy answers, then what ECS finally did, answered from then on.
    /// An expired token is followed by a read (the client asks once more with fresh credentials).
    static func script(seed: UInt64) -> [Answer] {
        var random = SplitMix64(seed: seed)
        let truth = Truth.allCases[Int(random.next(below: UInt64(Truth.allCases.count)))]
        let noise: [Answer] = [.stale, .inProgress, .throttled, .serverError, .expired]
        var answers: [Answer] = []
        for _ in 0..<random.next(below: 13) {
            answers.append(noise[Int(random.next(below: UInt64(noise.count)))])
            if answers.last == .expired { answers.append(random.next(below: 2) == 0 ? .stale : .inProgress) }
        }
        return answers + [.final(truth)]
    }

    /// Answers the deploy's calls; DescribeServices from the script, in order.
    final class Endpoint: Sendable {
        let script: [Answer]
        let reads = Mutex(0)
        init(script: [Answer]) { self.script = script }

        func answer(_ request: ReceivedRequest) -> CannedResponse {
            let operation = request.headers.first(name: "X-Amz-Target")?.split(separator: ".").last.map(String.init) ?? ""
            let json = [("Content-Type", "application/x-amz-json-1.1")]
            switch operation {
            case "DescribeServices":
                let index = reads.withLock { count in
                    defer { count += 1 }
                    return min(count, script.count - 1)
                }
                return ECSInterleavingPropertyTests.response(script[index])
            case "DescribeTaskDefinition": return CannedResponse(status: .ok, headers: json, body: ECSConsistencyTests.template)
            case "RegisterTaskDefinition": return CannedResponse(status: .ok, headers: json, body: ECSConsistencyTests.registered)
            case "UpdateService": return CannedResponse(status: .ok, headers: json, body: #"{"service":\#(ECSInterleavingPropertyTests.updated)}"#)
            case "ListTasks": return CannedResponse(status: .ok, headers: json, body: #"{"taskArns":[]}"#)
            case "DescribeTasks": return CannedResponse(status: .ok, headers: json, body: #"{"tasks":[],"failures":[]}"#)
            default:
                return CannedResponse(status: .badRequest, headers: json, body: #"{"__type":"InvalidParameterException","message":"unexpected \#(operation)"}"#)
            }
        }
    }

    @Test func theRecordedOutcomeIsWhatECSFinallyDidAndNoDeploymentIsClosedTwice() async throws {
        await propertyCheck(count: 30, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            do {
                try await run(seed: UInt64(seed))
            } catch {
                Issue.record(error, "seed \(seed)")
            }
        }
    }

    func run(seed: UInt64) async throws {
        let script = Self.script(seed: seed)
        guard case .final(let truth) = script.last else { return }
        let endpoint = Endpoint(script: script)
        let server = try await LoopbackHTTPServer.start { endpoint.answer($0) }
        defer { Task { try await server.stop() } }
        let harness = try await Harness { $0.apps["api"]?.environments["staging"]?.versionEndpoint = nil }
        let engine = harness.engine(ecsAt: server.baseURL)

        let result = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        let context = "seed \(seed): \(script) → \(result.summary)"
        #expect(result.outcome == truth.expected, "\(context)")
        let types = try harness.types(result.id)
        let terminals = types.filter { ["DeploymentStable", "DeploymentFailed", "DeploymentTimedOut"].contains($0) }
        let releases = try harness.store.events(EventFilter(stream: EnvironmentClaim.stream(app: "api", environment: "staging"), type: "DeploymentClaimReleased"))
        if truth == .credentialsGone {
            #expect(terminals.isEmpty, "\(context)")
            #expect(types.last == "DeploymentLeftOpen", "\(context)")
            #expect(releases.isEmpty, "\(context)")
        } else {
            #expect(terminals.count == 1, "\(context)")
            #expect(!types.contains("DeploymentLeftOpen"), "\(context)")
            #expect(releases.count == 1, "\(context)")
            #expect(types.contains("RolledBackAutomatically") == (truth.expected == .rolledBack), "\(context)")
        }
    }
}
