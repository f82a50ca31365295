import Registry
import Testing

struct ImageReferenceTests {
    @Test(arguments: [
        ("ghcr.io/wordpress/openverse-api", "ghcr.io", "wordpress/openverse-api", nil as String?),
        ("ghcr.io/wordpress/openverse-api_nginx:rel-2024.01.01.00.00.00", "ghcr.io", "wordpress/openverse-api_nginx", "rel-2024.01.01.00.00.00"),
        ("nginx", "docker.io", "library/nginx", nil),
        ("nginx:1.27", "docker.io", "library/nginx", "1.27"),
        ("wordpress/openverse-api:abc123", "docker.io", "wordpress/openverse-api", "abc123"),
        ("docker.io/library/python:3.12", "docker.io", "library/python", "3.12"),
        ("index.docker.io/redis", "docker.io", "library/redis", nil),
        ("localhost:5000/openverse-api:latest", "localhost:5000", "openverse-api", "latest"),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/openverse-api:rel-1", "123456789012.dkr.ecr.us-east-1.amazonaws.com", "openverse-api", "rel-1"),
    ])
    func parsesRegistryRepositoryAndTag(text: String, registry: String, repository: String, tag: String?) throws {
        let reference = try ImageReference(text)
        #expect(reference.registry == registry)
        #expect(reference.repository == repository)
        #expect(reference.tag == tag)
    }

    @Test func keepsADigestAndSendsDockerHubToItsAPIHost() throws {
        let pinned = try ImageReference("ghcr.io/wordpress/openverse-api@sha256:0123abcd")
        #expect(pinned.digest == "sha256:0123abcd")
        #expect(pinned.tag == nil)
        #expect(pinned.apiBaseURL == "https://ghcr.io")
        #expect(try ImageReference("nginx").apiBaseURL == "https://registry-1.docker.io")
    }

    @Test(arguments: ["", "ghcr.io//api", "Upper/Case", "ghcr.io/wordpress/openverse-api:", "repo@nodigest"])
    func refusesMalformedReferences(text: String) {
        let error = #expect(throws: RegistryError.self) { try ImageReference(text) }
        #expect(error?.code == .invalidReference)
        #expect(error?.message.contains("invalid image reference \(text)") == true)
    }

    @Test func parsesABearerChallenge() throws {
        let challenge = try #require(AuthenticationChallenge(
            header: #"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:wordpress/openverse-api:pull""#
        ))
        #expect(challenge.scheme == "Bearer")
        #expect(challenge.parameters == [
            "realm": "https://ghcr.io/token", "service": "ghcr.io", "scope": "repository:wordpress/openverse-api:pull",
        ])
    }

    @Test func recognisesAnECRRegistryByItsHost() throws {
        let ecr = try #require(try ImageReference("123456789012.dkr.ecr.eu-west-1.amazonaws.com/openverse-api:rel-1").ecrLocation)
        #expect(ecr.registryID == "123456789012")
        #expect(ecr.region == "eu-west-1")
        #expect(try ImageReference("ghcr.io/wordpress/openverse-api").ecrLocation == nil)
    }
}
