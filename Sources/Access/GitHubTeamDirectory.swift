import AsyncHTTPClient
import Clocks
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Maintainers as a GitHub team's active members, asked through GitHub's REST API
/// (`GET /orgs/{org}/teams/{team_slug}/memberships/{username}`) and kept for the team's cache time.
///
/// Only a 200 whose `state` is `active` makes a maintainer. GitHub unreachable, slow, refusing
/// the token (401), rate-limited or refusing it otherwise (403), or failing (5xx) answers
/// ``MaintainerAnswer/unknown(_:)``: the policy then refuses, and says it failed closed. Such
/// answers are not cached, so the next check asks again.
///
/// ```swift
/// let directory = GitHubTeamDirectory(team: GitHubTeam(organization: "WordPress", slug: "openverse-maintainers"))
/// let answer = await directory.lookUp("ana")
/// ```
public final class GitHubTeamDirectory: MaintainerDirectory {
    public let team: GitHubTeam
    private let clock: any ShiplogClock
    private let httpClient: HTTPClient
    private let timeout: TimeAmount
    private let environment: @Sendable () -> [String: String]
    private let logger: Logger
    /// Login (lowercased: GitHub logins ignore case) → the answer and when it stops counting.
    private let cache = Mutex<[String: (answer: MaintainerAnswer, until: Date)]>([:])

    /// - Parameters:
    ///   - clock: what the cache time runs on.
    ///   - environment: where the token variable is read, at each request (a rotated token is picked up).
    public init(
        team: GitHubTeam, clock: any ShiplogClock = SystemClock(), httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(10),
        environment: @escaping @Sendable () -> [String: String] = { ProcessInfo.processInfo.environment },
        logger: Logger = Logger(label: "shiplog.access")
    ) {
        self.team = team
        self.clock = clock
        self.httpClient = httpClient
        self.timeout = timeout
        self.environment = environment
        self.logger = logger
    }

    /// One directory per team in the process, so every policy built from the same configuration
    /// shares its cache.
    public static func shared(_ team: GitHubTeam) -> GitHubTeamDirectory {
        instances.withLock { instances in
            if let directory = instances[team] { return directory }
            let directory = GitHubTeamDirectory(team: team)
            instances[team] = directory
            return directory
        }
    }

    private static let instances = Mutex<[GitHubTeam: GitHubTeamDirectory]>([:])

    public func lookUp(_ login: String) async -> MaintainerAnswer {
        let key = login.lowercased()
        let now = clock.now
        if let cached = cache.withLock({ $0[key] }), now < cached.until { return cached.answer }
        let answer = await ask(login)
        if case .unknown = answer { return answer }
        cache.withLock { $0[key] = (answer, now.addingTimeInterval(team.cacheTime.timeInterval)) }
        return answer
    }

    private func ask(_ login: String) async -> MaintainerAnswer {
        guard let token = environment()[team.tokenVariable], !token.isEmpty else {
            return failedClosed("\(team.tokenVariable) holds no token to ask it with")
        }
        let url = "\(team.apiURL)/orgs/\(Self.pathSegment(team.organization))/teams/\(Self.pathSegment(team.slug))/memberships/\(Self.pathSegment(login))"
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/vnd.github+json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
        request.headers.add(name: "User-Agent", value: "shiplog")
        logger.debug("github team membership", metadata: ["github.team": "\(team)", "github.login": "\(login)"])
        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = Int(response.status.code)
            headers = response.headers
            body = try await response.body.collect(upTo: 64 * 1024)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return failedClosed("no answer within \(timeout.nanoseconds / 1_000_000_000)s")
        } catch {
            return failedClosed("unreachable (\(Self.oneLine("\(error)")))")
        }
        let message = try? JSONDecoder().decode(Body.self, from: Data(String(buffer: body).utf8))
        switch status {
        case 200:
            switch message?.state {
            case "active": return .maintainer
            case "pending": return .notMaintainer("\(login)'s membership of GitHub team \(team) is pending (invitation not accepted)")
            default: return failedClosed("HTTP 200 without a membership state")
            }
        case 404:
            return .notMaintainer("\(login) is not a member of GitHub team \(team)")
        case 403 where headers.first(name: "x-ratelimit-remaining") == "0":
            let reset = headers.first(name: "x-ratelimit-reset").flatMap(TimeInterval.init).map {
                " until \(Date(timeIntervalSince1970: $0).formatted(.iso8601))"
            } ?? ""
            return failedClosed("rate limit exhausted\(reset)")
        default:
            return failedClosed("HTTP \(status)\(message?.message.map { ": \(Self.oneLine($0))" } ?? "")")
        }
    }

    private func failedClosed(_ why: String) -> MaintainerAnswer {
        .unknown("GitHub could not be asked whether they are in team \(team) (\(why)), so refused: failing closed")
    }

    /// The fields of a membership or an error GitHub answers with.
    private struct Body: Decodable {
        var state: String?
        var message: String?
    }

    private static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
    }

    private static func oneLine(_ text: String) -> String {
        String(text.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(200))
    }
}
