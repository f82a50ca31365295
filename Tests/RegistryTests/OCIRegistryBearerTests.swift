import Foundation
import NIOHTTP1
@testable import Registry
import Synchronization
import TestSupport
import Testing

/// The bearer-token flow of GHCR and Docker Hub, played by a loopback HTTP server: 401 with a
/// `WWW-Authenticate: Bearer` challenge, a token realm, and the retried request.
struct OCIRegistryBearerTests {
    static let digest = "sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904"

    /// A registry that wants `Bearer good-token` and hands it out at `/token` when `tokenAnswer` says so.
    static func startRegistry(
        tokenRequests: Recorder,
        tokenStatus: HTTPResponseStatus = .ok,
        tagsAnswer: @escaping @Sendable () -> CannedResponse = {
            CannedResponse(status: .ok, body: #"{"name":"wordpress/openverse-api","tags":["abc123","rel-1"]}"#)
        }
    ) async throws -> LoopbackHTTPServer {
        let realm = Mutex("")
        let server = try await LoopbackHTTPServer.start { request in
            if request.uri.hasPrefix("/token") {
                tokenRequests.record(request.uri)
                return CannedResponse(status: tokenStatus, body: tokenStatus == .ok ? #"{"token":"good-token","expires_in":300}"# : "")
            }
            guard request.headers.first(name: "Authorization") == "Bearer good-token" else {
                let challenge = #"Bearer realm="\#(realm.withLock { $0 })/token",service="loopback-registry",scope="repository:wordpress/openverse-api:pull""#
                return CannedResponse(
                    status: .unauthorized,
                    headers: [("WWW-Authenticate", challenge), ("Content-Type", "application/json")],
                    body: #"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#
                )
            }
            if request.uri.hasPrefix("/v2/wordpress/openverse-api/tags/list") {
                return tagsAnswer()
            }
            if request.uri == "/v2/wordpress/openverse-api/manifests/rel-1" {
                return CannedResponse(status: .ok, headers: [("Docker-Content-Digest", digest)], body: "{}")
            }
            return CannedResponse(status: .notFound, body: #"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#)
        }
        realm.withLock { $0 = server.baseURL }
        return server
    }

    @Test func fetchesATokenFromTheChallengesRealmAndRetries() async throws {
        let tokenRequests = Recorder()
        let server = try await Self.startRegistry(tokenRequests: tokenRequests)
        defer { Task { try await server.stop() } }
        let client = OCIRegistryClient(baseURL: server.baseURL)

        #expect(try await client.tags(repository: "wordpress/openverse-api") == ["abc123", "rel-1"])
        #expect(try await client.digest(repository: "wordpress/openverse-api", tag: "rel-1") == Self.digest)

        let requests = tokenRequests.values
        // One token for the scope, reused by the second look-up.
        #expect(requests.count == 1)
        let query = try #require(URLComponents(string: requests[0])?.queryItems)
        #expect(query.contains(URLQueryItem(name: "service", value: "loopback-registry")))
        #expect(query.contains(URLQueryItem(name: "scope", value: "repository:wordpress/openverse-api:pull")))
    }

    @Test func aRefusedTokenIsAnUnauthorizedErrorNamingTheRepository() async throws {
        let server = try await Self.startRegistry(tokenRequests: Recorder(), tokenStatus: .unauthorized)
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: RegistryError.self) {
            try await OCIRegistryClient(baseURL: server.baseURL).tags(repository: "wordpress/openverse-api")
        }
        #expect(error?.code == .unauthorized)
        #expect(error?.message.contains("wordpress/openverse-api") == true)
        #expect(error?.message.contains("HTTP 401") == true)
    }

    @Test func aServerErrorIsReportedWithItsStatus() async throws {
        let server = try await Self.startRegistry(tokenRequests: Recorder()) {
            CannedResponse(status: .internalServerError, body: "oops")
        }
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: RegistryError.self) {
            try await OCIRegistryClient(baseURL: server.baseURL).tags(repository: "wordpress/openverse-api")
        }
        #expect(error?.code == .serverError)
        #expect(error?.message.contains("HTTP 500") == true)
    }

    @Test func aTruncatedTagListIsAMalformedResponse() async throws {
        let server = try await Self.startRegistry(tokenRequests: Recorder()) {
            CannedResponse(status: .ok, body: #"{"name":"wordpress/openverse-api","tags":["abc"#)
        }
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: RegistryError.self) {
            try await OCIRegistryClient(baseURL: server.baseURL).tags(repository: "wordpress/openverse-api")
        }
        #expect(error?.code == .malformedResponse)
    }

    @Test func aRegistryThatNeverAnswersTimesOut() async throws {
        let server = try await LoopbackHTTPServer.start { _ in CannedResponse(status: .ok, hang: true) }
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: RegistryError.self) {
            try await OCIRegistryClient(baseURL: server.baseURL, timeout: .milliseconds(300)).digest(repository: "wordpress/openverse-api", tag: "rel-1")
        }
        #expect(error?.code == .timeout)
        #expect(error?.message.contains("wordpress/openverse-api") == true)
    }

    @Test func readsTheNextPageFromTheLinkHeader() {
        #expect(OCIRegistryClient.nextLink(#"</v2/wordpress/openverse-api/tags/list?last=rel-1&n=2>; rel="next""#)
            == "/v2/wordpress/openverse-api/tags/list?last=rel-1&n=2")
        #expect(OCIRegistryClient.nextLink(#"</v2/x/tags/list?n=2>; rel="prev""#) == nil)
    }
}

/// Collects what a loopback server saw, across its event loop and the test.
final class Recorder: Sendable {
    private let storage = Mutex<[String]>([])

    func record(_ value: String) {
        storage.withLock { $0.append(value) }
    }

    var values: [String] { storage.withLock { $0 } }
}
