/// GitHub Actions ID tokens as credentials (`oidc:` in the configuration): which issuer signs
/// them, which audience they must be minted for, and which role a verified workflow run gets.
///
/// A run that no rule names gets no role at all: any repository on GitHub can ask for a token
/// with our audience, so the rules, not the signature, decide who may do anything.
///
/// ```yaml
/// oidc:
///   audience: shiplog
///   roles:
///     - {repository: WordPress/openverse, ref: refs/heads/main, role: deployer}
///     - {repository: WordPress/openverse, environment: production, role: maintainer}
/// ```
public struct GitHubOIDC: Sendable, Equatable {
    /// One rule: every claim it names must be the token's, exactly; the highest role of the rules
    /// that match is the run's.
    public struct Rule: Sendable, Equatable {
        /// Claim name (`repository`, `ref`, `environment`, `workflow_ref`, `job_workflow_ref`,
        /// `event_name`, `repository_owner`) → the value it must have.
        public var claims: [String: String]
        public var role: Role

        public init(claims: [String: String], role: Role) {
            self.claims = claims
            self.role = role
        }

        /// The claims a rule may name.
        public static let claimNames: Set<String> = [
            "repository", "repository_owner", "ref", "environment", "workflow_ref", "job_workflow_ref", "event_name",
        ]
    }

    /// `iss` of the tokens; the keys are found from its `/.well-known/openid-configuration`.
    public var issuer: String
    /// `aud` the workflow asked for (`core.getIDToken(audience)`).
    public var audience: String
    /// Where runs are linked to (`{server}/{repository}/actions/runs/{run_id}`).
    public var serverURL: String
    /// How long fetched keys are trusted before they are fetched again.
    public var keyCacheTime: Duration
    /// Clock skew allowed on `exp`, `nbf` and `iat`.
    public var leeway: Duration
    public var rules: [Rule]

    public static let defaultIssuer = "https://token.actions.githubusercontent.com"
    public static let defaultServerURL = "https://github.com"

    public init(
        issuer: String = defaultIssuer, audience: String, serverURL: String = defaultServerURL,
        keyCacheTime: Duration = .seconds(3600), leeway: Duration = .seconds(60), rules: [Rule]
    ) {
        self.issuer = issuer
        self.audience = audience
        self.serverURL = serverURL
        self.keyCacheTime = keyCacheTime
        self.leeway = leeway
        self.rules = rules
    }

    /// The role the rules give `run`; nil when none names it.
    public func role(of run: WorkflowRun) -> Role? {
        rules.filter { rule in rule.claims.allSatisfy { run.claim($0.key) == $0.value } }.map(\.role).max()
    }
}
