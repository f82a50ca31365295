/// How one service compares: what the ledger says should run against what ECS runs.
public struct ServiceDrift: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// ECS runs what the ledger says.
        case inSync = "in_sync"
        /// Something differs; see ``ServiceDrift/differences``.
        case drifted
        /// The ledger has no deployment of this app here yet: nothing to hold ECS to.
        case untracked
        /// shiplog is deploying here right now: differences are its own rollout.
        case deploying
        /// ECS could not be asked about this service (see ``ServiceDrift/error``); the others were checked.
        case error
    }

    public var app: String
    public var environment: String
    public var cluster: String
    public var service: String
    public var status: Status
    /// The desired task definition (`staging-api:41`) and images.
    public var desired: String?
    /// What ECS runs, the same way.
    public var actual: String?
    /// One line per difference: task definition, an image, service missing, desired count 0, rollout in progress.
    public var differences: [String]
    /// The desired task definition's ARN, tag and container images, for a correcting deploy.
    public var desiredTaskDefinition: String?
    public var desiredTag: String?
    public var desiredImages: [String: String]?
    /// ECS has no such service (or only an inactive one): a deploy cannot put it back.
    public var serviceMissing: Bool
    /// Why it could not be checked, for status `error`.
    public var error: String?
}

/// One look at every configured service, with what it cost.
public struct DriftPass: Sendable, Equatable, Codable {
    public var checkedAt: String
    public var services: [ServiceDrift]
    /// DescribeServices calls made, and the fewest that could cover these services (10 a call, per cluster).
    public var describeServicesCalls: Int
    public var minimumDescribeServicesCalls: Int
    /// DescribeTaskDefinition calls made (each revision is described once, then cached).
    public var describeTaskDefinitionCalls: Int

    public var drifted: [ServiceDrift] { services.filter { $0.status == .drifted } }
}
