import Access
import Deploy
import Foundation
import Ledger
import NIOHTTP1
import Simulation
import Synchronization
import TestSupport
import Testing

/// GitHub's REST API for one team, on loopback: each login answers as GitHub documents
/// "Get team membership for a user" (docs.github.com/rest/teams/members), and every request is kept.
struct GitHubTeamStub {
    let server: LoopbackHTTPServer
    private let received: Received

    final class Received: Sendable {
        let requests = Mutex<[ReceivedRequest]>([])
    }

    static let json = [("Content-Type", "application/json; charset=utf-8")]

    static func membership(_ login: String, state: String) -> CannedResponse {
        CannedResponse(status: .ok, headers: json, body: """
            {"url":"https://api.github.com/organizations/1/team/2/memberships/\(login)","role":"member","state":"\(state)"}
            """)
    }

    static let notFound = CannedResponse(
        status: .notFound, headers: json,
        body: #"{"message":"Not Found","documentation_url":"https://docs.github.com/rest/teams/members#get-team-membership-for-a-user","status":"404"}"#)
    static let badCredentials = CannedResponse(
        status: .unauthorized, headers: json, body: #"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#)
    static let rateLimited = CannedResponse(
        status: .forbidden,
        headers: json + [("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-used", "5000"), ("x-ratelimit-reset", "1700003600")],
        body: #"{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}"#)
    static let serverError = CannedResponse(status: .internalServerError, headers: json, body: #"{"message":"Server Error"}"#)

    /// Answers each login with `answers[login]`, anyone else with 404.
    init(_ answers: [String: CannedResponse]) async throws {
        let received = Received()
        server = try await LoopbackHTTPServer.start { request in
            received.requests.withLock { $0.append(request) }
            let login = request.uri.split(separator: "/").last.map(String.init) ?? ""
            return answers[login] ?? Self.notFound
        }
        self.received = received
    }

    var requests: [ReceivedRequest] { received.requests.withLock { $0 } }

    /// The team `WordPress/openverse-maintainers` as served here, its token in a variable of its own.
    func team(cacheTime: Duration = .seconds(300), tokenVariable: String = "GITHUB_TOKEN") -> GitHubTeam {
        GitHubTeam(organization: "WordPress", slug: "openverse-maintainers", cacheTime: cacheTime, tokenVariable: tokenVariable, apiURL: server.baseURL)
    }
}

struct GitHubTeamDirectoryTests {
    static let token: @Sendable () -> [String: String] = { ["GITHUB_TOKEN": "ghp_test"] }

    @Test func anActiveMemberIsAMaintainerAndTheRequestIsTheDocumentedOne() async throws {
        let github = try await GitHubTeamStub(["ana": GitHubTeamStub.membership("ana", state: "active")])
        defer { Task { try? await github.server.stop() } }
        let directory = GitHubTeamDirectory(team: github.team(), environment: Self.token)

        #expect(await directory.lookUp("ana") == .maintainer)
        let request = try #require(github.requests.first)
        #expect(request.method == .GET)
        #expect(request.uri == "/orgs/WordPress/teams/openverse-maintainers/memberships/ana")
        #expect(request.headers["Authorization"] == ["Bearer ghp_test"])
        #expect(request.headers["Accept"] == ["application/vnd.github+json"])
        #expect(request.headers["X-GitHub-Api-Version"] == ["2022-11-28"])
    }

    @Test(arguments: [
        (GitHubTeamStub.membership("ana", state: "pending"),
         MaintainerAnswer.notMaintainer("ana's membership of GitHub team WordPress/openverse-maintainers is pending (invitation not accepted)")),
        (GitHubTeamStub.notFound, .notMaintainer("ana is not a member of GitHub team WordPress/openverse-maintainers")),
        (GitHubTeamStub.badCredentials,
         .unknown("GitHub could not be asked whether they are in team WordPress/openverse-maintainers (HTTP 401: Bad credentials), so refused: failing closed")),
        (GitHubTeamStub.rateLimited,
         .unknown("GitHub could not be asked whether they are in team WordPress/openverse-maintainers (rate limit exhausted until 2023-11-14T23:13:20Z), so refused: failing closed")),
        (GitHubTeamStub.serverError,
         .unknown("GitHub could not be asked whether they are in team WordPress/openverse-maintainers (HTTP 500: Server Error), so refused: failing closed")),
    ])
    func anythingButAnActiveMembershipIsNotAMaintainer(response: CannedResponse, answer: MaintainerAnswer) async throws {
        let github = try await GitHubTeamStub(["ana": response])
        defer { Task { try? await github.server.stop() } }
        #expect(await GitHubTeamDirectory(team: github.team(), environment: Self.token).lookUp("ana") == answer)
    }

    @Test func anUnreachableGitHubOrAMissingTokenFailsClosed() async throws {
        let github = try await GitHubTeamStub([:])
        let team = github.team()
        try await github.server.stop()
        let unreachable = await GitHubTeamDirectory(team: team, environment: Self.token).lookUp("ana")
        #expect(unreachable.reason?.hasPrefix("GitHub could not be asked whether they are in team WordPress/openverse-maintainers (unreachable (") == true)
        #expect(unreachable.reason?.hasSuffix("), so refused: failing closed") == true)
        guard case .unknown = unreachable else { Issue.record("\(unreachable) is not unknown"); return }

        let withoutToken = await GitHubTeamDirectory(team: team, environment: { [:] }).lookUp("ana")
        #expect(withoutToken == .unknown(
            "GitHub could not be asked whether they are in team WordPress/openverse-maintainers (GITHUB_TOKEN holds no token to ask it with), so refused: failing closed"))
    }

    @Test func answersAreKeptForTheCacheTimeByLoginAndFailuresNever() async throws {
        let failing = Mutex(true)
        let received = Mutex(0)
        let server = try await LoopbackHTTPServer.start { request in
            received.withLock { $0 += 1 }
            if request.uri.hasSuffix("/cara") { return failing.withLock { $0 } ? GitHubTeamStub.serverError : GitHubTeamStub.notFound }
            return GitHubTeamStub.membership("ana", state: "active")
        }
        defer { Task { try? await server.stop() } }
        let clock = VirtualClock()
        let team = GitHubTeam(organization: "WordPress", slug: "openverse-maintainers", cacheTime: .seconds(300), apiURL: server.baseURL)
        let directory = GitHubTeamDirectory(team: team, clock: clock, environment: Self.token)

        #expect(await directory.lookUp("ana") == .maintainer)
        clock.advance(by: .seconds(299))
        #expect(await directory.lookUp("ANA") == .maintainer)
        #expect(received.withLock { $0 } == 1)
        clock.advance(by: .seconds(1))
        #expect(await directory.lookUp("ana") == .maintainer)
        #expect(received.withLock { $0 } == 2)

        guard case .unknown = await directory.lookUp("cara") else { Issue.record("a 500 is not an answer"); return }
        failing.withLock { $0 = false }
        #expect(await directory.lookUp("cara") == .notMaintainer("cara is not a member of GitHub team WordPress/openverse-maintainers"))
        #expect(await directory.lookUp("cara") == .notMaintainer("cara is not a member of GitHub team WordPress/openverse-maintainers"))
        #expect(received.withLock { $0 } == 4)
    }
}

struct GitHubTeamAccessTests {
    /// The example configuration with the stub's team as its maintainers, the token in the
    /// variable every test shares (``TestGitHubToken``).
    static func harness(_ github: GitHubTeamStub) async throws -> Harness {
        let variable = TestGitHubToken.variable
        return try await Harness { configuration in
            configuration.maintainers = []
            configuration.maintainersTeam = github.team(tokenVariable: variable)
        }
    }

    @Test func anActiveTeamMemberRollsBackAndABotActsForThemAsForAListedMaintainer() async throws {
        let github = try await GitHubTeamStub(["ana-maintainer": GitHubTeamStub.membership("ana-maintainer", state: "active")])
        defer { Task { try? await github.server.stop() } }
        let harness = try await Self.harness(github)
        let engine = harness.engine()

        let byAna = try await engine.rollback(app: "api", environment: "staging", tag: "rel-2024.02.01.00.00.00", metadata: Harness.ana)
        let byBot = try await engine.rollback(app: "api", environment: "staging", tag: "rel-2024.01.01.00.00.00", metadata: Harness.botForAna)

        #expect([byAna.outcome, byBot.outcome] == [.succeeded, .succeeded])
        #expect(try harness.store.events(EventFilter(type: "AccessDenied")).isEmpty)
        // The second check within the cache time asked nobody.
        #expect(github.requests.map(\.uri) == ["/orgs/WordPress/teams/openverse-maintainers/memberships/ana-maintainer"])
    }

    @Test func whenGitHubCannotBeAskedARollbackIsRefusedAndTheAuditSaysItFailedClosed() async throws {
        let github = try await GitHubTeamStub(["ana-maintainer": GitHubTeamStub.serverError])
        defer { Task { try? await github.server.stop() } }
        let harness = try await Self.harness(github)
        let engine = harness.engine()
        let failedClosed = "GitHub could not be asked whether they are in team WordPress/openverse-maintainers (HTTP 500: Server Error), so refused: failing closed"

        let error = await #expect(throws: DeployError.self) {
            try await engine.rollback(app: "api", environment: "staging", tag: "rel-2024.01.01.00.00.00", metadata: Harness.ana)
        }
        let bot = await #expect(throws: DeployError.self) {
            try await engine.rollback(app: "api", environment: "staging", tag: "rel-2024.01.01.00.00.00", metadata: Harness.botForAna)
        }

        #expect(error?.message == "access denied: ana-maintainer is neither a deployer nor a maintainer: \(failedClosed)")
        #expect(bot?.message == "access denied: bot openverse-bot may not act on behalf of ana-maintainer: \(failedClosed)")
        let denied = try harness.store.events(EventFilter(type: "AccessDenied")).map { try AccessDenied.decode(from: $0.data) }
        #expect(denied.map(\.reason) == [
            "ana-maintainer is neither a deployer nor a maintainer: \(failedClosed)",
            "bot openverse-bot may not act on behalf of ana-maintainer: \(failedClosed)",
        ])
        #expect(denied.map(\.action) == ["rollback", "rollback"])
        #expect(try harness.store.deployments().isEmpty)
        // A failure is never kept: each check asked again.
        #expect(github.requests.count == 2)
    }

    @Test func aDeployerWhoIsNotInTheTeamDeploysButMayNotRollBack() async throws {
        let github = try await GitHubTeamStub([:])
        defer { Task { try? await github.server.stop() } }
        let harness = try await Self.harness(github)
        let engine = harness.engine()

        let deployed = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        let error = await #expect(throws: DeployError.self) {
            try await engine.rollback(app: "api", environment: "staging", tag: "rel-2024.01.01.00.00.00", metadata: Harness.cara)
        }

        #expect(deployed.outcome == .succeeded)
        #expect(error?.message == "access denied: cara-contributor is not a maintainer (only maintainers may rollback): cara-contributor is not a member of GitHub team WordPress/openverse-maintainers")
    }
}

struct GitHubTeamConfigurationTests {
    static let list = "maintainers: [ana-maintainer, ben-maintainer]"

    @Test func theTeamReplacesTheListWithGitHubsDefaults() throws {
        let text = ExampleConfiguration.text.replacingOccurrences(of: Self.list, with: "maintainers: {github_team: WordPress/openverse-maintainers}")
        let configuration = try ShiplogConfiguration.parse(text, file: "shiplog.yml")

        #expect(configuration.maintainers.isEmpty)
        #expect(configuration.maintainersTeam == GitHubTeam(
            organization: "WordPress", slug: "openverse-maintainers", cacheTime: .seconds(300), tokenVariable: "GITHUB_TOKEN", apiURL: "https://api.github.com"))
    }

    @Test func theCacheTimeTokenVariableAndAPIAreConfigurable() throws {
        let text = ExampleConfiguration.text.replacingOccurrences(of: Self.list, with: """
            maintainers:
              github_team: WordPress/openverse-maintainers
              cache: 90s
              token_env: SHIPLOG_GITHUB_TOKEN
              api_url: https://github.example.com/api/v3/
            """)
        let team = try #require(try ShiplogConfiguration.parse(text, file: "shiplog.yml").maintainersTeam)

        #expect(team == GitHubTeam(organization: "WordPress", slug: "openverse-maintainers", cacheTime: .seconds(90),
                                   tokenVariable: "SHIPLOG_GITHUB_TOKEN", apiURL: "https://github.example.com/api/v3"))
    }

    @Test(arguments: [
        ("{github_team: openverse-maintainers}",
         "shiplog.yml: maintainers.github_team: must be ORG/TEAM (the team's slug), such as WordPress/openverse-maintainers, not 'openverse-maintainers'"),
        ("{github_team: WordPress/openverse maintainers}",
         "shiplog.yml: maintainers.github_team: must be ORG/TEAM (the team's slug), such as WordPress/openverse-maintainers, not 'WordPress/openverse maintainers'"),
        ("{cache: 5m}", "shiplog.yml: maintainers.github_team: missing"),
        ("{github_team: WordPress/openverse-maintainers, cache: soon}",
         "shiplog.yml: maintainers.cache: must be a duration such as 5m, 30s or 0s (ask every time), not 'soon'"),
        ("{github_team: WordPress/openverse-maintainers, token_env: ghp_abc-123}",
         "shiplog.yml: maintainers.token_env: must name an environment variable (the token itself never goes in the file), not 'ghp_abc-123'"),
        ("{github_team: WordPress/openverse-maintainers, api_url: api.github.com}",
         "shiplog.yml: maintainers.api_url: must be an http(s) URL such as https://api.github.com, not 'api.github.com'"),
        ("{github_team: WordPress/openverse-maintainers, members: [ana]}",
         "shiplog.yml: maintainers.members: unknown key (known: api_url, cache, github_team, token_env)"),
    ])
    func aBadTeamIsNamedWithTheFileAndKey(replacement: String, message: String) throws {
        let text = ExampleConfiguration.text.replacingOccurrences(of: Self.list, with: "maintainers: \(replacement)")
        let error = #expect(throws: ConfigurationError.self) { try ShiplogConfiguration.parse(text, file: "shiplog.yml") }
        #expect(error?.message == message)
    }
}
