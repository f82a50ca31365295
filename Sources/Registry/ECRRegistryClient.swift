import AWS
import AsyncHTTPClient
import Logging

/// Looks up tags and digests through ECR's API (`AmazonEC2ContainerRegistry_V20150921`), over ``AWS``.
///
/// Uses DescribeImages for a tag's digest and ListImages (tagged images, all pages) for the
/// tags, so lookups need only `ecr:DescribeImages` and `ecr:ListImages`, not a docker login.
///
/// ```swift
/// let ecr = ECRRegistryClient(configuration: AWSClientConfiguration(region: "us-east-1"))
/// let tags = try await ecr.tags(repository: "openverse-api")
/// ```
public struct ECRRegistryClient: ImageRegistry {
    private let client: AWSJSONClient
    /// The account that owns the repositories; the caller's account when nil.
    private let registryID: String?

    public init(
        configuration: AWSClientConfiguration,
        registryID: String? = nil,
        httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "shiplog.ecr")
    ) {
        self.client = AWSJSONClient(service: .ecr, configuration: configuration, httpClient: httpClient, logger: logger)
        self.registryID = registryID
    }

    private var registryName: String {
        "ECR \(registryID.map { "\($0) " } ?? "")in \(client.configuration.region)"
    }

    public func digest(repository: String, tag: String) async throws -> String {
        var input: JSONValue = ["repositoryName": .string(repository), "imageIds": [["imageTag": .string(tag)]]]
        if let registryID { input["registryId"] = .string(registryID) }
        let output = try await call("DescribeImages", input, repository: repository, tag: tag)
        let details = try output.requiredArray("imageDetails", in: "ecr:DescribeImages")
        guard let digest = details.first?["imageDigest"]?.stringValue else {
            throw RegistryError.tagNotFound(tag, repository: repository, registry: registryName)
        }
        return digest
    }

    public func tags(repository: String) async throws -> [String] {
        var tags: [String] = []
        var nextToken: String?
        repeat {
            var input: JSONValue = ["repositoryName": .string(repository), "filter": ["tagStatus": "TAGGED"], "maxResults": 1000]
            if let registryID { input["registryId"] = .string(registryID) }
            if let nextToken { input["nextToken"] = .string(nextToken) }
            let output = try await call("ListImages", input, repository: repository, tag: nil)
            tags += try output.requiredArray("imageIds", in: "ecr:ListImages").compactMap { $0["imageTag"]?.stringValue }
            nextToken = output["nextToken"]?.stringValue
        } while nextToken != nil
        return tags
    }

    /// Calls ECR, turning its not-found codes into ``RegistryError``s that name the repository and tag.
    private func call(_ operation: String, _ input: JSONValue, repository: String, tag: String?) async throws -> JSONValue {
        do {
            return try await client.call(operation, input)
        } catch let error as AWSError {
            switch error.code {
            case "RepositoryNotFoundException":
                throw RegistryError.repositoryNotFound(repository, registry: registryName)
            case "ImageNotFoundException" where tag != nil:
                throw RegistryError.tagNotFound(tag!, repository: repository, registry: registryName)
            default:
                throw error
            }
        }
    }
}
