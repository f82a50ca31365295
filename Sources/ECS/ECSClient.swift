/// What shiplog asks of ECS: task definitions, services, their deployments and events.
///
/// Implemented by ``AWSECSClient`` (the real API) and `SimulatedECS` in Simulation (deterministic, virtual time).
/// Missing resources throw ``ECSError``; throttling, 5xx, timeouts and unreadable responses throw
/// `AWSError` after the retries the client's policy allows.
public protocol ECSClient: Sendable {
    func createCluster(name: String) async throws -> ECSCluster

    /// Describes a task definition.
    /// - Parameter reference: a family (its latest ACTIVE revision), `family:revision`, or a full ARN.
    func describeTaskDefinition(_ reference: String) async throws -> TaskDefinition

    /// Registers a new revision of `definition.family`; read-only fields in `raw` are ignored.
    /// - Returns: the registered definition, with ARN and revision.
    func registerTaskDefinition(_ definition: TaskDefinition) async throws -> TaskDefinition

    /// The ARNs of the ACTIVE revisions of exactly this family (not families it is a prefix of), oldest first.
    func listTaskDefinitions(family: String) async throws -> [String]

    func createService(cluster: String, name: String, taskDefinition: String, desiredCount: Int) async throws -> ECSService

    /// Points a service at a task definition, which starts a new PRIMARY deployment.
    func updateService(cluster: String, service: String, taskDefinition: String) async throws -> ECSService

    /// Describes any number of services of one cluster.
    ///
    /// ECS accepts at most 10 services per DescribeServices call; this method splits longer
    /// lists into calls of 10 and joins the answers in order. Unknown services are reported
    /// in `failures` (reason `MISSING`), not thrown; an unknown cluster throws.
    func describeServices(cluster: String, services: [String]) async throws -> ServiceDescriptions

    /// The ARNs of a cluster's tasks that match `query`, every page of them.
    func listTasks(cluster: String, _ query: TaskQuery) async throws -> [String]

    /// Describes tasks of one cluster, in calls of at most 100; tasks ECS no longer knows are left out.
    func describeTasks(cluster: String, tasks: [String]) async throws -> [ECSTask]
}

extension ECSClient {
    /// For drivers that predate task look-ups: they cannot tell which tasks stopped.
    public func listTasks(cluster: String, _ query: TaskQuery) async throws -> [String] {
        throw ECSError.unsupported("ListTasks")
    }

    public func describeTasks(cluster: String, tasks: [String]) async throws -> [ECSTask] {
        throw ECSError.unsupported("DescribeTasks")
    }

    /// Describes one service.
    /// - Throws: ``ECSError/serviceNotFound(_:cluster:)`` when ECS does not know it.
    public func describeService(cluster: String, service: String) async throws -> ECSService {
        let answer = try await describeServices(cluster: cluster, services: [service])
        guard let found = answer.services.first, found.status != "INACTIVE" else {
            throw ECSError.serviceNotFound(service, cluster: cluster)
        }
        return found
    }
}

/// The most services one DescribeServices call accepts.
public let describeServicesBatchLimit = 10
