import AWS
import Deploy
import ECS
import Foundation
import Ledger
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

/// An UpdateService whose answer never comes may still have reached ECS: the deployment follows
/// what ECS runs rather than closing as failed.
@Suite struct UnansweredUpdateTests {
    /// ECS that applies UpdateService but answers it with 500 (`applies`), or refuses it outright.
    final class Endpoint: Sendable {
        let applies: Bool
        let updated = Mutex(false)
        let describes = Mutex(0)
        init(applies: Bool) { self.applies = applies }

        func answer(_ request: ReceivedRequest) -> CannedResponse {
            let operation = request.headers.first(name: "X-Amz-Target")?.split(separator: ".").last.map(String.init) ?? ""
            let json = [("Content-Type", "application/x-amz-json-1.1")]
            switch operation {
            case "DescribeTaskDefinition": return CannedResponse(status: .ok, headers: json, body: ECSConsistencyTests.template)
            case "RegisterTaskDefinition": return CannedResponse(status: .ok, headers: json, body: ECSConsistencyTests.registered)
            case "UpdateService":
                if applies { updated.withLock { $0 = true } }
                return CannedResponse(status: .internalServerError, headers: json, body: #"{"__type":"ServerException","message":"Service unavailable"}"#)
            case "DescribeServices":
                describes.withLock { $0 += 1 }
                let service = updated.withLock { $0 }
                    ? ECSConsistencyTests.service(ECSConsistencyTests.new, running: 1,
                                                  ECSConsistencyTests.deployment("2", "PRIMARY", ECSConsistencyTests.new, rollout: "COMPLETED", running: 1))
                    : ECSConsistencyTests.service(ECSConsistencyTests.old, running: 1,
                                                  ECSConsistencyTests.deployment("1", "PRIMARY", ECSConsistencyTests.old, rollout: "COMPLETED", running: 1))
                return CannedResponse(status: .ok, headers: json, body: #"{"services":[\#(service)],"failures":[]}"#)
            case "ListTasks": return CannedResponse(status: .ok, headers: json, body: #"{"taskArns":[]}"#)
            default:
                return CannedResponse(status: .badRequest, headers: json, body: #"{"__type":"InvalidParameterException","message":"unexpected \#(operation)"}"#)
            }
        }
    }

    func deploy(_ endpoint: Endpoint) async throws -> (DeploymentResult, [String]) {
        let server = try await LoopbackHTTPServer.start { endpoint.answer($0) }
        defer { Task { try await server.stop() } }
        let harness = try await Harness { $0.apps["api"]?.environments["staging"]?.versionEndpoint = nil }
        let engine = harness.engine(ecsAt: server.baseURL)
        let result = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        return (result, try harness.types(result.id))
    }

    @Test func anUpdateECSAppliedButNeverAnsweredIsFollowedToItsEnd() async throws {
        let (result, types) = try await deploy(Endpoint(applies: true))
        #expect(result.outcome == .succeeded, "\(result.summary)")
        #expect(types.contains("ServiceUpdated"))
        #expect(!types.contains("DeploymentFailed"))
        #expect(types.last == "DeploymentStable")
    }

    @Test func anUpdateECSNeverAppliedFailsAtTheUpdate() async throws {
        let endpoint = Endpoint(applies: false)
        let (result, types) = try await deploy(endpoint)
        #expect(result.outcome == .failed)
        #expect(result.failureStage == "update")
        #expect(!types.contains("ServiceUpdated"))
        // Not on one read: ECS is eventually consistent.
        #expect(endpoint.describes.withLock { $0 } == 3)
    }
}
