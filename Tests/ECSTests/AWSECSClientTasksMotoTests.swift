import AWS
import ECS
import Foundation
import TestSupport
import Testing

/// ListTasks and DescribeTasks of the real ECS driver against moto: a service's stopped task is
/// found by the deployment that started it and described with ECS's reason.
@Suite(.enabled(if: TestServices.runMotoTests, "\(TestServices.motoMissing)"))
struct AWSECSClientTasksMotoTests {
    let configuration: AWSClientConfiguration
    let ecs: AWSECSClient
    let suffix = String(UUID().uuidString.prefix(8)).lowercased()

    init() throws {
        let url = try #require(TestServices.motoURL, "\(TestServices.motoMissing)")
        configuration = AWSClientConfiguration(
            region: "us-east-1", endpoint: url,
            credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
            retry: RetryPolicy(maxAttempts: 2, maxTotalTime: .seconds(5)), timeout: .seconds(60))
        ecs = AWSECSClient(configuration: configuration)
    }

    @Test func aStoppedTaskIsListedByWhoStartedItAndDescribedWithItsReason() async throws {
        let cluster = "staging-default-\(suffix)"
        let deployment = "ecs-svc/\(Int.random(in: 1_000_000_000...9_999_999_999))"
        _ = try await ecs.createCluster(name: cluster)
        let definition = try await ecs.registerTaskDefinition(TaskDefinition(
            family: "staging-api-\(suffix)",
            containerDefinitions: [ContainerDefinition(name: "django", image: "ghcr.io/wordpress/openverse-api:3f9c2e1", raw: ["memory": 512, "essential": true])],
            raw: ["cpu": "512", "memory": "1024", "networkMode": "bridge"]))
        let arn = try #require(definition.arn)
        // What ECS's scheduler does for a service's deployment, done by hand: start a task, then stop it.
        let raw = AWSJSONClient(service: .ecs, configuration: configuration)
        let run = try await raw.call("RunTask", [
            "cluster": .string(cluster), "taskDefinition": .string(arn), "count": 1, "launchType": "FARGATE", "startedBy": .string(deployment),
        ])
        let taskArn = try #require(run["tasks"]?.arrayValue?.first?["taskArn"]?.stringValue)
        let other = try await raw.call("RunTask", ["cluster": .string(cluster), "taskDefinition": .string(arn), "count": 1, "launchType": "FARGATE"])
        #expect(other["tasks"]?.arrayValue?.count == 1)
        #expect(try await ecs.listTasks(cluster: cluster, TaskQuery(startedBy: deployment, desiredStatus: .stopped)).isEmpty, "running, not stopped yet")

        _ = try await raw.call("StopTask", ["cluster": .string(cluster), "task": .string(taskArn), "reason": "Essential container in task exited"])
        let stopped = try await ecs.listTasks(cluster: cluster, TaskQuery(startedBy: deployment, desiredStatus: .stopped))
        #expect(stopped == [taskArn])
        let byFamily = try await ecs.listTasks(cluster: cluster, TaskQuery(family: "staging-api-\(suffix)", desiredStatus: .stopped))
        #expect(byFamily == [taskArn], "the other task still runs")

        let described = try await ecs.describeTasks(cluster: cluster, tasks: stopped)
        let task = try #require(described.first)
        #expect(described.count == 1)
        #expect(task.taskArn == taskArn)
        #expect(task.taskId == taskArn.split(separator: "/").last.map(String.init))
        #expect(task.taskDefinitionArn == arn)
        #expect(task.startedBy == deployment)
        #expect(task.desiredStatus == "STOPPED")
        #expect(task.stoppedReason == "Essential container in task exited")
        #expect(task.containers.map(\.name) == ["django"])
    }
}
