/// The GitHub team whose active members are the maintainers (`maintainers: {github_team: ORG/TEAM}`),
/// and how it is asked.
public struct GitHubTeam: Sendable, Hashable, CustomStringConvertible {
    public var organization: String
    /// The team's slug, as in its URL (`openverse-maintainers`).
    public var slug: String
    /// How long an answer (member or not) is kept before GitHub is asked again.
    public var cacheTime: Duration
    /// The environment variable that holds the token; the token itself is never logged or recorded.
    public var tokenVariable: String
    /// GitHub's REST API, without a trailing slash; GitHub Enterprise Server's or a test's elsewhere.
    public var apiURL: String

    public static let defaultCacheTime: Duration = .seconds(5 * 60)
    public static let defaultTokenVariable = "GITHUB_TOKEN"
    public static let defaultAPIURL = "https://api.github.com"

    public init(
        organization: String, slug: String, cacheTime: Duration = defaultCacheTime,
        tokenVariable: String = defaultTokenVariable, apiURL: String = defaultAPIURL
    ) {
        self.organization = organization
        self.slug = slug
        self.cacheTime = cacheTime
        self.tokenVariable = tokenVariable
        self.apiURL = apiURL
    }

    /// `ORG/TEAM`, as the configuration names it.
    public var description: String { "\(organization)/\(slug)" }
}
