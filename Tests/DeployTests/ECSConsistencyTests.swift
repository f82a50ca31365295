import AWS
import Deploy
import ECS
import Foundation
import Ledger
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

/// The deploy engine against an ECS endpoint that answers as the real one does — eventually
/// consistent — over ECS's JSON 1.1 protocol on a loopback socket: the real AWS driver, and
/// DescribeServices answers replayed in the documented shapes, one per poll.
@Suite struct ECSConsistencyTests {
    static let account = "123456789012"
    static let old = "arn:aws:ecs:us-east-1:\(account):task-definition/staging-api:1"
    static let new = "arn:aws:ecs:us-east-1:\(account):task-definition/staging-api:2"
    static let other = "arn:aws:ecs:us-east-1:\(account):task-definition/staging-api:3"

    /// One deployment of the service, as DescribeServices lists it.
    static func deployment(_ id: String, _ status: String, _ arn: String, rollout: String, running: Int, failed: Int = 0, reason: String? = nil) -> String {
        let why = reason.map { #","rolloutStateReason":"\#($0)""# } ?? ""
        return #"{"id":"ecs-svc/\#(id)","status":"\#(status)","taskDefinition":"\#(arn)","desiredCount":1,"pendingCount":0,"runningCount":\#(running),"failedTasks":\#(failed),"createdAt":1.7960e9,"updatedAt":1.7960e9,"launchType":"FARGATE","rolloutState":"\#(rollout)"\#(why)}"#
    }

    /// The service with its PRIMARY deployment's task definition and its deployments, newest first.
    static func service(_ arn: String, running: Int, _ deployments: String..., event: String = "(service staging-api) has reached a steady state.") -> String {
        #"{"serviceName":"staging-api","serviceArn":"arn:aws:ecs:us-east-1:\#(account):service/staging-default/staging-api","clusterArn":"arn:aws:ecs:us-east-1:\#(account):cluster/staging-default","status":"ACTIVE","taskDefinition":"\#(arn)","desiredCount":1,"runningCount":\#(running),"pendingCount":0,"launchType":"FARGATE","deployments":[\#(deployments.joined(separator: ","))],"events":[{"id":"e1","createdAt":1.7960e9,"message":"\#(event)"}]}"#
    }

    static let template = #"{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:\#(account):task-definition/staging-api-template:1","family":"staging-api-template","revision":1,"status":"ACTIVE","containerDefinitions":[{"name":"django","image":"ghcr.io/wordpress/openverse-api:latest","essential":true,"memory":512},{"name":"nginx","image":"ghcr.io/wordpress/openverse-api_nginx:latest","essential":true,"memory":128}],"requiresCompatibilities":["FARGATE"],"cpu":"512","memory":"1024","networkMode":"awsvpc","registeredAt":1.7950e9,"registeredBy":"arn:aws:iam::\#(account):root"}}"#
    static let registered = template.replacingOccurrences(of: "staging-api-template:1", with: "staging-api:2")
        .replacingOccurrences(of: #""family":"staging-api-template","revision":1"#, with: #""family":"staging-api","revision":2"#)

    /// An ECS endpoint whose UpdateService answers `updated` and whose DescribeServices answers
    /// `reads` in turn (the last one again once they run out).
    final class Endpoint: Sendable {
        let reads: [String]
        let updated: String
        let template: String
        let describeCalls = Mutex(0)
        /// The bodies of the requests, by operation.
        let requests = Mutex<[String: [String]]>([:])
        init(updated: String, reads: [String], template: String = ECSConsistencyTests.template) {
            self.updated = updated
            self.reads = reads
            self.template = template
        }

        func answer(_ request: ReceivedRequest) -> CannedResponse {
            let operation = request.headers.first(name: "X-Amz-Target")?.split(separator: ".").last.map(String.init) ?? ""
            requests.withLock { $0[operation, default: []].append(request.body) }
            let body: String
            switch operation {
            case "DescribeTaskDefinition": body = template
            case "RegisterTaskDefinition": body = ECSConsistencyTests.registered
            case "UpdateService": body = #"{"service":\#(updated)}"#
            case "DescribeServices":
                let index = describeCalls.withLock { count in
                    defer { count += 1 }
                    return min(count, reads.count - 1)
                }
                body = #"{"services":[\#(reads[index])],"failures":[]}"#
            default:
                return CannedResponse(status: .badRequest, headers: [("Content-Type", "application/x-amz-json-1.1")],
                                      body: #"{"__type":"InvalidParameterException","message":"unexpected \#(operation)"}"#)
            }
            return CannedResponse(status: .ok, headers: [("Content-Type", "application/x-amz-json-1.1")], body: body)
        }
    }

    /// Deploys api to staging through the real ECS driver against `endpoint`; returns the result and the ledger's event types.
    func deploy(_ endpoint: Endpoint) async throws -> (DeploymentResult, [String]) {
        let server = try await LoopbackHTTPServer.start { endpoint.answer($0) }
        let harness = try await Harness { $0.apps["api"]?.environments["staging"]?.versionEndpoint = nil }
        let engine = harness.engine(ecsAt: server.baseURL)
        let result = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        return (result, try harness.types(result.id))
    }

    static let updated = service(new, running: 1, deployment("2", "PRIMARY", new, rollout: "IN_PROGRESS", running: 0), deployment("1", "ACTIVE", old, rollout: "COMPLETED", running: 1))

    @Test func aStaleReadRightAfterTheUpdateIsNotARollback() async throws {
        let endpoint = Endpoint(updated: Self.updated, reads: [
            // Eventually consistent: the first read still shows only the old deployment, steady.
            Self.service(Self.old, running: 1, Self.deployment("1", "PRIMARY", Self.old, rollout: "COMPLETED", running: 1)),
            Self.updated,
            Self.service(Self.new, running: 1, Self.deployment("2", "PRIMARY", Self.new, rollout: "COMPLETED", running: 1)),
        ])
        let (result, types) = try await deploy(endpoint)
        #expect(result.outcome == .succeeded)
        #expect(!types.contains("RolledBackAutomatically"))
        #expect(types.last == "DeploymentStable")
        #expect(endpoint.describeCalls.withLock { $0 } == 3)
    }

    @Test func aRolloutWhoseTasksFailTwiceAndThenStartSucceeds() async throws {
        let endpoint = Endpoint(updated: Self.updated, reads: [
            Self.service(Self.new, running: 1, Self.deployment("2", "PRIMARY", Self.new, rollout: "IN_PROGRESS", running: 0, failed: 1),
                         Self.deployment("1", "ACTIVE", Self.old, rollout: "COMPLETED", running: 1)),
            Self.service(Self.new, running: 1, Self.deployment("2", "PRIMARY", Self.new, rollout: "IN_PROGRESS", running: 0, failed: 2),
                         Self.deployment("1", "ACTIVE", Self.old, rollout: "COMPLETED", running: 1)),
            Self.service(Self.new, running: 1, Self.deployment("2", "PRIMARY", Self.new, rollout: "COMPLETED", running: 1, failed: 2)),
        ])
        let (result, types) = try await deploy(endpoint)
        #expect(result.outcome == .succeeded)
        #expect(types.filter { $0 == "DeploymentFailed" || $0 == "RolledBackAutomatically" }.isEmpty)
    }

    @Test func theCircuitBreakersRollbackOfOurDeploymentIsARollback() async throws {
        let reason = "ECS deployment circuit breaker: tasks failed to start."
        let endpoint = Endpoint(updated: Self.updated, reads: [
            Self.service(Self.old, running: 1,
                         Self.deployment("3", "PRIMARY", Self.old, rollout: "IN_PROGRESS", running: 1, reason: "ECS deployment circuit breaker: rolling back to the last completed deployment."),
                         Self.deployment("2", "ACTIVE", Self.new, rollout: "FAILED", running: 0, failed: 3, reason: reason)),
        ])
        let (result, types) = try await deploy(endpoint)
        #expect(result.outcome == .rolledBack)
        #expect(result.rolledBackTo == Self.old)
        #expect(result.reason == reason)
        #expect(types.suffix(2) == ["RolledBackAutomatically", "DeploymentFailed"])
    }

    @Test func aServiceUpdatedBySomeoneElseMidRolloutIsNeitherStableNorARollback() async throws {
        let endpoint = Endpoint(updated: Self.updated, reads: [
            Self.updated,
            Self.service(Self.other, running: 1, Self.deployment("3", "PRIMARY", Self.other, rollout: "IN_PROGRESS", running: 0),
                         Self.deployment("2", "ACTIVE", Self.new, rollout: "IN_PROGRESS", running: 0)),
        ])
        let (result, types) = try await deploy(endpoint)
        #expect(result.outcome == .failed)
        #expect(result.reason?.contains("ecs-svc/2 was replaced by a newer one on staging-api:3") == true, "\(result.reason ?? "")")
        #expect(!types.contains("RolledBackAutomatically"))
    }

    @Test func theRenderKeepsTheTemplatesTagsAndSendsNoFieldECSSetsItself() async throws {
        // As DescribeTaskDefinition answers with include TAGS: the tags beside the definition, and
        // a definition carrying every output-only member of ECS's TaskDefinition shape.
        let template = Self.template
            .replacingOccurrences(of: #""registeredBy":"#, with: #""deleteRequestedAt":1.7951e9,"deregisteredAt":1.7951e9,"compatibilities":["EC2","FARGATE"],"requiresAttributes":[{"name":"ecs.capability.execution-role-awslogs"}],"registeredBy":"#)
            .replacingOccurrences(of: #""registeredBy":"arn:aws:iam::\#(Self.account):root"}}"#,
                                  with: #""registeredBy":"arn:aws:iam::\#(Self.account):root"},"tags":[{"key":"team","value":"openverse"},{"key":"cost-center","value":"42"}]}"#)
        let endpoint = Endpoint(updated: Self.updated, reads: [Self.service(Self.new, running: 1, Self.deployment("2", "PRIMARY", Self.new, rollout: "COMPLETED", running: 1))],
                                template: template)
        let (result, _) = try await deploy(endpoint)
        #expect(result.outcome == .succeeded)
        let describe = try #require(endpoint.requests.withLock { $0["DescribeTaskDefinition"]?.first })
        #expect(describe.contains(#""include":["TAGS"]"#), "\(describe)")
        let body = try #require(endpoint.requests.withLock { $0["RegisterTaskDefinition"]?.first })
        let registered = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let tags = try #require(registered["tags"] as? [[String: String]])
        #expect(tags == [["key": "team", "value": "openverse"], ["key": "cost-center", "value": "42"]])
        for field in TaskDefinition.readOnlyFields { #expect(registered[field] == nil, "\(field) is ECS's own") }
        #expect(registered["family"] as? String == "staging-api")
        #expect(registered["cpu"] as? String == "512")
    }
}
