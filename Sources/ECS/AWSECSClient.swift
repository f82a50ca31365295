import AWS
import AsyncHTTPClient
import Logging

/// ECS over its real API (JSON 1.1, `AmazonEC2ContainerServiceV20141113`).
///
/// ```swift
/// let ecs = AWSECSClient(configuration: AWSClientConfiguration(region: "us-east-1"))
/// let template = try await ecs.describeTaskDefinition("staging-api-template")
/// ```
public struct AWSECSClient: ECSClient {
    private let client: AWSJSONClient

    public init(
        configuration: AWSClientConfiguration,
        httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "shiplog.ecs")
    ) {
        self.client = AWSJSONClient(service: .ecs, configuration: configuration, httpClient: httpClient, logger: logger)
    }

    public func createCluster(name: String) async throws -> ECSCluster {
        let output = try await call("CreateCluster", ["clusterName": .string(name)])
        let cluster = try output.requiredObject("cluster", in: "ecs:CreateCluster")
        return ECSCluster(
            name: try cluster.requiredString("clusterName", in: "ecs:CreateCluster"),
            arn: try cluster.requiredString("clusterArn", in: "ecs:CreateCluster"),
            status: cluster["status"]?.stringValue ?? ""
        )
    }

    public func describeTaskDefinition(_ reference: String) async throws -> TaskDefinition {
        let output = try await call("DescribeTaskDefinition", ["taskDefinition": .string(reference), "include": ["TAGS"]], resource: .taskDefinition(reference))
        var definition = try TaskDefinition(json: try output.requiredObject("taskDefinition", in: "ecs:DescribeTaskDefinition"))
        // Tags come beside the definition, not in it; kept in `raw` they are registered again with a render.
        if let tags = output["tags"], tags.arrayValue?.isEmpty == false, var members = definition.raw.objectValue {
            members["tags"] = tags
            definition.raw = .object(members)
        }
        return definition
    }

    public func registerTaskDefinition(_ definition: TaskDefinition) async throws -> TaskDefinition {
        let output = try await call("RegisterTaskDefinition", definition.registrationInput)
        return try TaskDefinition(
            json: try output.requiredObject("taskDefinition", in: "ecs:RegisterTaskDefinition"),
            operation: "ecs:RegisterTaskDefinition"
        )
    }

    public func listTaskDefinitions(family: String) async throws -> [String] {
        var arns: [String] = []
        var nextToken: String?
        repeat {
            var input: JSONValue = ["familyPrefix": .string(family), "status": "ACTIVE", "sort": "ASC"]
            if let nextToken { input["nextToken"] = .string(nextToken) }
            let output = try await call("ListTaskDefinitions", input)
            for arn in try output.requiredArray("taskDefinitionArns", in: "ecs:ListTaskDefinitions") {
                // familyPrefix is a prefix: `staging-api` also lists `staging-api-template`.
                if let arn = arn.stringValue, Self.family(ofTaskDefinitionARN: arn) == family {
                    arns.append(arn)
                }
            }
            nextToken = output["nextToken"]?.stringValue
        } while nextToken != nil
        return arns
    }

    public func createService(cluster: String, name: String, taskDefinition: String, desiredCount: Int) async throws -> ECSService {
        let output = try await call(
            "CreateService",
            [
                "cluster": .string(cluster),
                "serviceName": .string(name),
                "taskDefinition": .string(taskDefinition),
                "desiredCount": .number(Double(desiredCount)),
                "deploymentConfiguration": [
                    "deploymentCircuitBreaker": ["enable": true, "rollback": true]
                ],
            ],
            resource: .service(name, cluster: cluster)
        )
        return try ECSService(json: try output.requiredObject("service", in: "ecs:CreateService"), operation: "ecs:CreateService")
    }

    public func updateService(cluster: String, service: String, taskDefinition: String) async throws -> ECSService {
        let output = try await call(
            "UpdateService",
            ["cluster": .string(cluster), "service": .string(service), "taskDefinition": .string(taskDefinition)],
            resource: .service(service, cluster: cluster, taskDefinition: taskDefinition)
        )
        return try ECSService(json: try output.requiredObject("service", in: "ecs:UpdateService"), operation: "ecs:UpdateService")
    }

    public func describeServices(cluster: String, services: [String]) async throws -> ServiceDescriptions {
        var result = ServiceDescriptions(services: [], failures: [])
        var start = services.startIndex
        while start < services.endIndex {
            let end = min(start + describeServicesBatchLimit, services.endIndex)
            let batch = services[start..<end]
            let output = try await call(
                "DescribeServices",
                ["cluster": .string(cluster), "services": .array(batch.map(JSONValue.string))],
                resource: .cluster(cluster)
            )
            result.services += try output.requiredArray("services", in: "ecs:DescribeServices").map {
                try ECSService(json: $0, operation: "ecs:DescribeServices")
            }
            result.failures += (output["failures"]?.arrayValue ?? []).map {
                ServiceFailure(arn: $0["arn"]?.stringValue ?? "", reason: $0["reason"]?.stringValue ?? "")
            }
            start = end
        }
        return result
    }

    public func listTasks(cluster: String, _ query: TaskQuery) async throws -> [String] {
        var arns: [String] = []
        var nextToken: String?
        repeat {
            var input: JSONValue = ["cluster": .string(cluster), "desiredStatus": .string(query.desiredStatus.rawValue), "maxResults": 100]
            if let startedBy = query.startedBy { input["startedBy"] = .string(startedBy) }
            if let serviceName = query.serviceName { input["serviceName"] = .string(serviceName) }
            if let family = query.family { input["family"] = .string(family) }
            if let nextToken { input["nextToken"] = .string(nextToken) }
            let output = try await call("ListTasks", input, resource: .cluster(cluster))
            arns += try output.requiredArray("taskArns", in: "ecs:ListTasks").compactMap(\.stringValue)
            nextToken = output["nextToken"]?.stringValue
        } while nextToken != nil
        return arns
    }

    public func describeTasks(cluster: String, tasks: [String]) async throws -> [ECSTask] {
        var described: [ECSTask] = []
        var start = tasks.startIndex
        while start < tasks.endIndex {
            let end = min(start + describeTasksBatchLimit, tasks.endIndex)
            let output = try await call(
                "DescribeTasks", ["cluster": .string(cluster), "tasks": .array(tasks[start..<end].map(JSONValue.string))],
                resource: .cluster(cluster))
            described += try (output["tasks"]?.arrayValue ?? []).map { try ECSTask(json: $0, operation: "ecs:DescribeTasks") }
            start = end
        }
        return described
    }

    /// `arn:aws:ecs:us-east-1:123456789012:task-definition/staging-api:7` -> `staging-api`.
    static func family(ofTaskDefinitionARN arn: String) -> String? {
        guard let slash = arn.lastIndex(of: "/") else { return nil }
        let familyAndRevision = arn[arn.index(after: slash)...]
        return familyAndRevision.split(separator: ":").first.map(String.init)
    }

    /// The resource a call is about, so AWS's not-found codes become ``ECSError``s that name it.
    private enum Resource {
        case none
        case cluster(String)
        case service(String, cluster: String, taskDefinition: String? = nil)
        case taskDefinition(String)
    }

    private func call(_ operation: String, _ input: JSONValue, resource: Resource = .none) async throws -> JSONValue {
        do {
            return try await client.call(operation, input)
        } catch let error as AWSError where error.kind == .service {
            throw Self.translate(error, resource: resource) ?? error
        }
    }

    /// Maps ECS's codes for missing resources to ``ECSError``; other errors stay `AWSError`.
    ///
    /// ECS answers an unknown task definition with `ClientException` ("Unable to describe task
    /// definition." / "TaskDefinition not found."), so the message decides there.
    private static func translate(_ error: AWSError, resource: Resource) -> ECSError? {
        let message = error.message.lowercased()
        switch (error.code, resource) {
        case ("ClusterNotFoundException", .cluster(let cluster)),
            ("ClusterNotFoundException", .service(_, let cluster, _)):
            return .clusterNotFound(cluster)
        case ("ServiceNotFoundException", .service(let service, let cluster, _)),
            ("ServiceNotActiveException", .service(let service, let cluster, _)):
            return .serviceNotFound(service, cluster: cluster)
        case (_, .taskDefinition(let reference))
        where error.code == "TaskDefinitionNotFoundException" || message.contains("task definition")
            || message.contains("taskdefinition"):
            return .taskDefinitionNotFound(reference)
        case (_, .service(_, _, let taskDefinition?))
        where error.code == "TaskDefinitionNotFoundException"
            || (error.code == "ClientException" && (message.contains("task definition") || message.contains("taskdefinition"))):
            return .taskDefinitionNotFound(taskDefinition)
        case ("InvalidParameterException", _):
            return .invalidParameter(error.message)
        default:
            return nil
        }
    }
}
