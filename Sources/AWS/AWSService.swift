/// What the JSON client needs to know about one AWS service.
public struct AWSService: Sendable, Hashable {
    /// The SigV4 service name (`ecs`, `ecr`).
    public let signingName: String
    /// The host prefix of the regional endpoint (`ecs`, `api.ecr`).
    public let endpointPrefix: String
    /// The prefix of `X-Amz-Target` (`AmazonEC2ContainerServiceV20141113`).
    public let targetPrefix: String
    /// The suffix of the service-specific endpoint variable, `AWS_ENDPOINT_URL_<ID>`.
    public let environmentID: String
    /// The protocol's version, in `Content-Type: application/x-amz-json-<version>` (botocore's `jsonVersion`).
    public let jsonVersion: String

    public init(signingName: String, endpointPrefix: String, targetPrefix: String, environmentID: String, jsonVersion: String = "1.1") {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.targetPrefix = targetPrefix
        self.environmentID = environmentID
        self.jsonVersion = jsonVersion
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

    /// DynamoDB, for the replica's lease when it is kept in a table (JSON 1.0, as botocore's model says).
    public static let dynamoDB = AWSService(
        signingName: "dynamodb",
        endpointPrefix: "dynamodb",
        targetPrefix: "DynamoDB_20120810",
        environmentID: "DYNAMODB",
        jsonVersion: "1.0"
    )
}
