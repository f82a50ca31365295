import Foundation
import NIOHTTP1
import Registry
import TestSupport
import Testing

/// Tag list paging as the distribution spec defines it (`n`, `last`, `Link: <...>; rel="next"`),
/// served by a loopback registry that pages strictly.
struct OCIRegistryPagingTests {
    static let allTags = ["abc123", "latest", "rel-1", "rel-2", "rel-3"]

    static func startPagingRegistry(requests: Recorder, loopLinks: Bool = false) async throws -> LoopbackHTTPServer {
        try await LoopbackHTTPServer.start { request in
            requests.record(request.uri)
            let query = URLComponents(string: request.uri)?.queryItems ?? []
            let n = query.first { $0.name == "n" }?.value.flatMap(Int.init) ?? allTags.count
            let last = query.first { $0.name == "last" }?.value
            let remaining = last.map { last in allTags.filter { $0 > last } } ?? allTags
            let page = Array(remaining.prefix(n))
            var headers: [(String, String)] = [("Content-Type", "application/json")]
            if let end = page.last, page.count < remaining.count || loopLinks {
                let next = loopLinks ? "/v2/wordpress/openverse-api/tags/list?n=\(n)" : "/v2/wordpress/openverse-api/tags/list?last=\(end)&n=\(n)"
                headers.append(("Link", "<\(next)>; rel=\"next\""))
            }
            let body = #"{"name":"wordpress/openverse-api","tags":[\#(page.map { "\"\($0)\"" }.joined(separator: ","))]}"#
            return CannedResponse(status: .ok, headers: headers, body: body)
        }
    }

    @Test func followsLinkHeadersAcrossPageBoundaries() async throws {
        let requests = Recorder()
        let server = try await Self.startPagingRegistry(requests: requests)
        defer { Task { try await server.stop() } }
        let tags = try await OCIRegistryClient(baseURL: server.baseURL, pageSize: 2).tags(repository: "wordpress/openverse-api")
        #expect(tags == Self.allTags)
        #expect(requests.values == [
            "/v2/wordpress/openverse-api/tags/list?n=2",
            "/v2/wordpress/openverse-api/tags/list?last=latest&n=2",
            "/v2/wordpress/openverse-api/tags/list?last=rel-2&n=2",
        ])
    }

    @Test func aLinkBackToTheSamePageIsAnErrorNotALoop() async throws {
        let server = try await Self.startPagingRegistry(requests: Recorder(), loopLinks: true)
        defer { Task { try await server.stop() } }
        let error = await #expect(throws: RegistryError.self) {
            try await OCIRegistryClient(baseURL: server.baseURL, pageSize: 2).tags(repository: "wordpress/openverse-api")
        }
        #expect(error?.code == .malformedResponse)
        #expect(error?.message.contains("loop") == true)
    }
}
