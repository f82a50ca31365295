import AWS
import Foundation
import Registry
import TestSupport
import Testing

/// The ECR driver against moto's ECR API (scripts/test starts moto and sets SHIPLOG_TEST_MOTO_URL).
@Suite(.enabled(if: TestServices.runMotoTests, "\(TestServices.motoMissing)"))
struct ECRRegistryMotoTests {
    let configuration: AWSClientConfiguration
    let repository = "openverse-api-\(UUID().uuidString.prefix(8).lowercased())"

    init() throws {
        configuration = AWSClientConfiguration(
            region: "us-east-1",
            endpoint: try #require(TestServices.motoURL, "\(TestServices.motoMissing)"),
            credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
            retry: RetryPolicy(maxAttempts: 2, maxTotalTime: .seconds(5)),
            timeout: .seconds(60)
        )
    }

    /// Creates the repository and puts one manifest under each tag through ECR's own API.
    func pushImage(tags: [String]) async throws -> String {
        let ecr = AWSJSONClient(service: .ecr, configuration: configuration)
        _ = try await ecr.call("CreateRepository", ["repositoryName": .string(repository)])
        let manifest = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",\
            "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},\
            "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,"digest":"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"}]}
            """
        var digest: String?
        for tag in tags {
            let output = try await ecr.call(
                "PutImage",
                ["repositoryName": .string(repository), "imageManifest": .string(manifest), "imageTag": .string(tag)]
            )
            digest = output["image"]?["imageId"]?["imageDigest"]?.stringValue
        }
        return try #require(digest)
    }

    @Test func findsTheDigestOfATagAndListsTheTags() async throws {
        let pushed = try await pushImage(tags: ["rel-1", "rel-2", "abc123"])
        let registry = ECRRegistryClient(configuration: configuration)
        #expect(try await registry.digest(repository: repository, tag: "rel-2") == pushed)
        #expect(try await Set(registry.tags(repository: repository)) == ["rel-1", "rel-2", "abc123"])
        #expect(try await registry.tagExists(repository: repository, tag: "abc123"))
    }

    @Test func anUnknownTagOrRepositoryIsNamedInTheError() async throws {
        _ = try await pushImage(tags: ["rel-1"])
        let registry = ECRRegistryClient(configuration: configuration)
        let tag = await #expect(throws: RegistryError.self) { try await registry.digest(repository: repository, tag: "rel-404") }
        #expect(tag?.code == .tagNotFound)
        #expect(tag?.message == "tag rel-404 not found in ECR in us-east-1/\(repository)")
        #expect(try await !registry.tagExists(repository: repository, tag: "rel-404"))

        let missing = await #expect(throws: RegistryError.self) { try await registry.tags(repository: "\(repository)-missing") }
        #expect(missing?.code == .repositoryNotFound)
        #expect(missing?.message == "repository \(repository)-missing not found in ECR in us-east-1")
    }
}
