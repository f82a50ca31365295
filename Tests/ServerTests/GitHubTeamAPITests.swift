import Access
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import NIOCore
import NIOHTTP1
import Server
import Simulation
import Synchronization
import TestSupport
import Testing

struct GitHubTeamAPITests {
    @Test func aTokenKeepsItsRoleAndABotActsForATeamMemberOnlyWhileGitHubCanBeAsked() async throws {
        let asked = Mutex<[String]>([])
        // As GitHub documents "Get team membership for a user": ben is active, asking about ana hits the rate limit.
        let github = try await LoopbackHTTPServer.start { request in
            asked.withLock { $0.append(request.uri) }
            guard request.uri.hasSuffix("/ben-maintainer") else {
                return CannedResponse(
                    status: .forbidden,
                    headers: [("Content-Type", "application/json; charset=utf-8"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700003600")],
                    body: #"{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}"#)
            }
            return CannedResponse(status: .ok, headers: [("Content-Type", "application/json; charset=utf-8")],
                                  body: #"{"url":"https://api.github.com/organizations/1/team/2/memberships/ben-maintainer","role":"member","state":"active"}"#)
        }
        defer { Task { try? await github.stop() } }
        let variable = TestGitHubToken.variable
        let configuration = ExampleConfiguration.text.replacingOccurrences(
            of: "maintainers: [ana-maintainer, ben-maintainer]",
            with: "maintainers: {github_team: WordPress/openverse-maintainers, token_env: \(variable), api_url: \"\(github.baseURL)\"}")
        let harness = try await ServiceHarness(configurationText: configuration)
        let bot = try await harness.backend.tokens.issue(name: "openverse-bot", role: .maintainer, metadata: EventMetadata(actor: "test-admin")).secret
        let rollback = #"{"app": "api", "environment": "staging", "tag": "rel-2024.01.01.00.00.00""#

        try await harness.application().test(.router) { client in
            let byToken = try await client.execute(
                uri: "/api/v1/rollbacks", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: rollback + "}"))
            #expect(byToken.status == .accepted)
            _ = try await harness.outcome(of: try #require(byToken.json["id"] as? String))
            #expect(asked.withLock { $0 }.isEmpty)

            let before = try harness.store.head()?.position ?? 0
            let forAna = try await client.execute(
                uri: "/api/v1/rollbacks", method: .post, headers: .bearer(bot),
                body: ByteBuffer(string: rollback + #", "on_behalf_of": "ana-maintainer"}"#))
            let failedClosed = "bot openverse-bot may not act on behalf of ana-maintainer: GitHub could not be asked whether they are in team "
                + "WordPress/openverse-maintainers (rate limit exhausted until 2023-11-14T23:13:20Z), so refused: failing closed"
            #expect(forAna.status == .forbidden)
            #expect(forAna.errorMessage == "access denied: \(failedClosed)")
            let denied = try harness.store.events(EventFilter(after: before))
            #expect(denied.map(\.type) == ["AccessDenied"])
            #expect(try AccessDenied.decode(from: try #require(denied.first).data).reason == failedClosed)

            let forBen = try await client.execute(
                uri: "/api/v1/rollbacks", method: .post, headers: .bearer(bot),
                body: ByteBuffer(string: rollback + #", "on_behalf_of": "ben-maintainer"}"#))
            #expect(forBen.status == .accepted)
            _ = try await harness.outcome(of: try #require(forBen.json["id"] as? String))
            #expect(asked.withLock { $0 } == [
                "/orgs/WordPress/teams/openverse-maintainers/memberships/ana-maintainer",
                "/orgs/WordPress/teams/openverse-maintainers/memberships/ben-maintainer",
            ])
        }
    }
}
