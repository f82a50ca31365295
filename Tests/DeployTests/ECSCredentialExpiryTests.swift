import AWS
import Deploy
import ECS
import Foundation
import Ledger
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

/// Credentials that expire after `UpdateService` say nothing about the rollout: ECS carries on,
/// so the deployment is left open (recorded as such), never closed as failed, and a resume with
/// working credentials follows it to its end.
@Suite struct ECSCredentialExpiryTests {
    /// An ECS endpoint (JSON 1.1) that refuses every call with `ExpiredTokenException` from the
    /// moment it answered UpdateService until `renew()`; the rollout itself completes.
    final class Endpoint: Sendable {
        let expired = Mutex(false)
        let refusals = Mutex(0)

        func renew() { expired.withLock { $0 = false } }

        func answer(_ request: ReceivedRequest) -> CannedResponse {
            let operation = request.headers.first(name: "X-Amz-Target")?.split(separator: ".").last.map(String.init) ?? ""
            let json = [("Content-Type", "application/x-amz-json-1.1")]
            if expired.withLock({ $0 }) {
                refusals.withLock { $0 += 1 }
                return CannedResponse(status: .badRequest, headers: json,
                                      body: #"{"__type":"com.amazon.coral.service#ExpiredTokenException","message":"The security token included in the request is expired"}"#)
            }
            let body: String
            switch operation {
            case "DescribeTaskDefinition": body = ECSConsistencyTests.template
            case "RegisterTaskDefinition": body = ECSConsistencyTests.registered
            case "UpdateService":
                expired.withLock { $0 = true }
                body = #"{"service":\#(ECSConsistencyTests.updated)}"#
            case "DescribeServices":
                let done = ECSConsistencyTests.service(
                    ECSConsistencyTests.new, running: 1,
                    ECSConsistencyTests.deployment("2", "PRIMARY", ECSConsistencyTests.new, rollout: "COMPLETED", running: 1))
                body = #"{"services":[\#(done)],"failures":[]}"#
            default:
                return CannedResponse(status: .badRequest, headers: json, body: #"{"__type":"InvalidParameterException","message":"unexpected \#(operation)"}"#)
            }
            return CannedResponse(status: .ok, headers: json, body: body)
        }
    }

    @Test func credentialsThatExpireAfterECSWasToldLeaveTheDeploymentOpenAndResumeFollowsItToItsEnd() async throws {
        let endpoint = Endpoint()
        let server = try await LoopbackHTTPServer.start { endpoint.answer($0) }
        defer { Task { try await server.stop() } }
        let harness = try await Harness { $0.apps["api"]?.environments["staging"]?.versionEndpoint = nil }
        let engine = harness.engine(ecsAt: server.baseURL)

        let result = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        #expect(result.outcome == .inProgress)
        #expect(result.reason?.contains("ExpiredTokenException") == true, "\(result.reason ?? "")")
        let types = try harness.types(result.id)
        #expect(types.last == "DeploymentLeftOpen")
        #expect(!types.contains("DeploymentFailed"))
        // The client read its credentials again and asked once more before giving up.
        #expect(endpoint.refusals.withLock { $0 } == 2)
        let record = try #require(try harness.store.deployments().first { $0.id == result.id })
        #expect(record.outcome == .inProgress)
        #expect(try EnvironmentClaim(store: harness.store).holder(app: "api", environment: "staging")?.deploymentId == result.id)

        endpoint.renew()
        let resumed = try await engine.resume(result.id, metadata: Harness.ana)
        #expect(resumed.outcome == .succeeded)
        #expect(try harness.types(result.id).last == "DeploymentStable")
        #expect(try harness.types(result.id).filter { $0 == "DeploymentStable" || $0 == "DeploymentFailed" }.count == 1)
        #expect(try harness.store.deployments().first { $0.id == result.id }?.outcome == .succeeded)
        #expect(try EnvironmentClaim(store: harness.store).holder(app: "api", environment: "staging") == nil)
    }
}
