import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// `maintainers: {github_team: ...}` as the CLI asks it: the actor's membership, from GitHub's
/// REST API (on loopback, answering as GitHub documents), with the token from the environment.
struct GitHubTeamCommandTests {
    @Test func aRollbackIsAllowedToAnActiveMemberAndRefusedInOneLineWhenGitHubRefusesTheToken() async throws {
        let github = try await LoopbackHTTPServer.start { request in
            guard request.uri.hasSuffix("/ben-maintainer"), request.headers["Authorization"] == ["Bearer ghp_test"] else {
                return CannedResponse(status: .unauthorized, headers: [("Content-Type", "application/json; charset=utf-8")],
                                      body: #"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#)
            }
            return CannedResponse(status: .ok, headers: [("Content-Type", "application/json; charset=utf-8")],
                                  body: #"{"url":"https://api.github.com/organizations/1/team/2/memberships/ben-maintainer","role":"member","state":"active"}"#)
        }
        defer { Task { try? await github.stop() } }
        var cli = CLI()
        try await cli.run("init")
        let file = cli.directory.path("shiplog.yml")
        let example = try String(contentsOfFile: file, encoding: .utf8)
        let configured = example.replacingOccurrences(
            of: "maintainers: [ana-maintainer, ben-maintainer]",
            with: "maintainers: {github_team: WordPress/openverse-maintainers, api_url: \"\(github.baseURL)\"}")
        #expect(configured != example)
        try configured.write(toFile: file, atomically: true, encoding: .utf8)
        cli.environment["GITHUB_TOKEN"] = "ghp_test"

        let allowed = try await cli.run("rollback", "api", "--env", "staging", "--tag", "rel-2024.02.01.00.00.00", "--actor", "ben-maintainer")
        let refused = try await cli.run("rollback", "api", "--env", "staging", "--tag", "rel-2024.01.01.00.00.00", "--actor", "ana-maintainer")

        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(refused.status != 0)
        let failedClosed = "ana-maintainer is neither a deployer nor a maintainer: GitHub could not be asked whether they are in team "
            + "WordPress/openverse-maintainers (HTTP 401: Bad credentials), so refused: failing closed"
        #expect(refused.stderr == "Error: access denied: \(failedClosed)\n")
        let denied = try await cli.run("events", "--type", "AccessDenied")
        #expect(denied.lines.count == 1)
        #expect(denied.stdout.contains(#""actor":"ana-maintainer""#))
        #expect(denied.stdout.contains("failing closed"))
        #expect(!denied.stdout.contains("ghp_test"), "the token is never recorded")

        cli.environment["GITHUB_TOKEN"] = nil
        let withoutToken = try await cli.run("rollback", "api", "--env", "staging", "--tag", "rel-2024.01.01.00.00.00", "--actor", "ben-maintainer")
        #expect(withoutToken.stderr == "Error: access denied: ben-maintainer is neither a deployer nor a maintainer: GitHub could not be asked "
            + "whether they are in team WordPress/openverse-maintainers (GITHUB_TOKEN holds no token to ask it with), so refused: failing closed\n")
    }
}
