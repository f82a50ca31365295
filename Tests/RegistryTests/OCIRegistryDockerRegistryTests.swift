import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Registry
import TestSupport
import Testing

/// The OCI driver against Debian's docker-registry (the CNCF distribution registry), which
/// scripts/test starts on a loopback port with filesystem storage and no auth.
@Suite(.enabled(if: TestServices.runRegistryTests, "\(TestServices.registryMissing)"))
struct OCIRegistryDockerRegistryTests {
    let baseURL: String
    /// The registry keeps what earlier runs pushed; each test pushes under its own name.
    let repository = "shiplog-test/openverse-api-\(UUID().uuidString.prefix(8).lowercased())"

    init() throws {
        baseURL = try #require(TestServices.registryURL, "\(TestServices.registryMissing)").absoluteString
    }

    @Test func findsEveryTagAndTheDigestOfATag() async throws {
        let pushed = try await RegistryPusher(baseURL: baseURL).pushImage(repository: repository, tags: ["abc123", "latest", "rel-1", "rel-2", "rel-3"])

        // docker-registry 2.8 (Debian 12) ignores `n` on tag lists and answers in one page, in
        // no particular order; the client must cope with that. Paging itself is covered by
        // OCIRegistryPagingTests against a registry that pages.
        let client = OCIRegistryClient(baseURL: baseURL, pageSize: 2)
        let tags = try await client.tags(repository: repository)
        #expect(tags.sorted() == ["abc123", "latest", "rel-1", "rel-2", "rel-3"])
        #expect(try await client.digest(repository: repository, tag: "rel-2") == pushed)
        #expect(try await client.tagExists(repository: repository, tag: "rel-3"))
    }

    @Test func anUnknownTagOrRepositoryIsNamedInTheError() async throws {
        _ = try await RegistryPusher(baseURL: baseURL).pushImage(repository: repository, tags: ["rel-1"])
        let client = OCIRegistryClient(baseURL: baseURL)
        let registryName = try #require(URL(string: baseURL).map { "\($0.host!):\($0.port!)" })

        let tag = await #expect(throws: RegistryError.self) { try await client.digest(repository: repository, tag: "rel-404") }
        #expect(tag?.code == .tagNotFound)
        #expect(tag?.message == "tag rel-404 not found in \(registryName)/\(repository)")
        #expect(try await !client.tagExists(repository: repository, tag: "rel-404"))

        let unknown = "shiplog-test/never-pushed-\(UUID().uuidString.prefix(8).lowercased())"
        let missingRepository = await #expect(throws: RegistryError.self) { try await client.digest(repository: unknown, tag: "rel-1") }
        #expect(missingRepository?.code == .repositoryNotFound)
        #expect(missingRepository?.message == "repository \(unknown) not found in \(registryName)")
        let missingTags = await #expect(throws: RegistryError.self) { try await client.tags(repository: unknown) }
        #expect(missingTags?.code == .repositoryNotFound)
    }
}

/// Pushes a small image through the registry HTTP API, as `docker push` does: config and layer
/// blobs by monolithic upload (POST then PUT with the digest), then the manifest under each tag.
struct RegistryPusher {
    let baseURL: String

    /// - Returns: the manifest digest the registry reported.
    func pushImage(repository: String, tags: [String]) async throws -> String {
        let layer = Array("shiplog test layer \(repository)".utf8)
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(digest(layer))"]}}"#.utf8)
        try await uploadBlob(config, repository: repository)
        try await uploadBlob(layer, repository: repository)
        let manifest = Array("""
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",\
            "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":\(config.count),"digest":"\(digest(config))"},\
            "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":\(layer.count),"digest":"\(digest(layer))"}]}
            """.utf8)
        var reported: String?
        for tag in tags {
            var request = HTTPClientRequest(url: "\(baseURL)/v2/\(repository)/manifests/\(tag)")
            request.method = .PUT
            request.headers.add(name: "Content-Type", value: "application/vnd.docker.distribution.manifest.v2+json")
            request.body = .bytes(ByteBuffer(bytes: manifest))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            try #require(response.status == .created, "PUT manifest \(tag): HTTP \(response.status.code)")
            reported = response.headers.first(name: "Docker-Content-Digest")
        }
        #expect(reported == digest(manifest))
        return try #require(reported)
    }

    private func uploadBlob(_ bytes: [UInt8], repository: String) async throws {
        var start = HTTPClientRequest(url: "\(baseURL)/v2/\(repository)/blobs/uploads/")
        start.method = .POST
        let started = try await HTTPClient.shared.execute(start, timeout: .seconds(10))
        try #require(started.status == .accepted, "POST blobs/uploads: HTTP \(started.status.code)")
        let location = try #require(started.headers.first(name: "Location"))
        let uploadURL = location.hasPrefix("http") ? location : baseURL + location
        var put = HTTPClientRequest(url: uploadURL + (uploadURL.contains("?") ? "&" : "?") + "digest=\(digest(bytes))")
        put.method = .PUT
        put.headers.add(name: "Content-Type", value: "application/octet-stream")
        put.body = .bytes(ByteBuffer(bytes: bytes))
        let finished = try await HTTPClient.shared.execute(put, timeout: .seconds(10))
        try #require(finished.status == .created, "PUT blob: HTTP \(finished.status.code)")
    }

    private func digest(_ bytes: [UInt8]) -> String {
        "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
