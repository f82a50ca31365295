/// The answer of DescribeServices: the services found, and those ECS reported as failures.
public struct ServiceDescriptions: Sendable, Equatable {
    public var services: [ECSService]
    /// Services ECS could not describe, as (ARN or name, reason); the reason is `MISSING` for unknown services.
    public var failures: [ServiceFailure]

    public init(services: [ECSService], failures: [ServiceFailure]) {
        self.services = services
        self.failures = failures
    }
}

/// A service ECS could not describe.
public struct ServiceFailure: Sendable, Hashable {
    public var arn: String
    public var reason: String

    public init(arn: String, reason: String) {
        self.arn = arn
        self.reason = reason
    }
}
