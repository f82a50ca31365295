/// What the JSON 1.1 client needs to know about one AWS service.
public struct AWSService: Sendable, Hashable {
    /// The SigV4 service name (`ecs`, `ecr`).
    public let signingName: String
    /// The host prefix of the regional endpoint (`ecs`, `api.ecr`).
    public let endpointPrefix: String
    /// The prefix of `X-Amz-Target` (`AmazonEC2ContainerServiceV20141113`).
    public let targetPrefix: String
    /// The suffix of the service-specific endpoint variable, `AWS_ENDPOINT_URL_<ID>`.
    public let environmentID: String

    public init(signingName: String, endpointPrefix: String, targetPrefix: String, environmentID: String) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.targetPrefix = targetPrefix
        self.environmentID = environmentID
    }

    public static let ecs = AWSService(
        signingName: "ecs",
        endpointPrefix: "ecs",
        targetPrefix: "AmazonEC2ContainerServiceV20141113",
        environmentID: "ECS"
    )

    public static let ecr = AWSService(
        signingName: "ecr",
        endpointPrefix: "api.ecr",
        targetPrefix: "AmazonEC2ContainerRegistry_V20150921",
        environmentID: "ECR"
    )
}
