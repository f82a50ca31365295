import Access
import Hummingbird
import HummingbirdAuth

/// Finds who a request is from: a bearer token, or (for the dashboard in a browser) the token
/// kept in the `shiplog_token` cookie. An unknown, revoked or expired token is no identity at all.
///
/// With an `oidc:` configuration a bearer JWT is taken as a GitHub Actions ID token: one that
/// fails verification is a 401 saying which check failed, a genuine run that no rule names a
/// 403 — never a request without identity, so the caller learns why.
struct TokenAuthenticator: AuthenticatorMiddleware {
    typealias Context = ShiplogRequestContext
    typealias Identity = APIIdentity

    static let cookieName = "shiplog_token"

    let tokens: AccessTokens
    let workflowTokens: WorkflowTokenVerifier?
    let metrics: ServerMetrics

    init(tokens: AccessTokens, workflowTokens: WorkflowTokenVerifier? = nil, metrics: ServerMetrics = ServerMetrics()) {
        self.tokens = tokens
        self.workflowTokens = workflowTokens
        self.metrics = metrics
    }

    func authenticate(request: Request, context: Context) async throws -> APIIdentity? {
        if let bearer = request.headers.bearer {
            if let workflowTokens, WorkflowTokenVerifier.looksLikeJWT(bearer.token) {
                return try await verify(bearer.token, with: workflowTokens)
            }
            return try await tokens.authenticate(secret: bearer.token)
        }
        if let cookie = request.cookies[Self.cookieName] {
            return try await tokens.authenticate(secret: cookie.value)
        }
        return nil
    }

    private func verify(_ token: String, with verifier: WorkflowTokenVerifier) async throws -> APIIdentity {
        do {
            let (run, role) = try await verifier.verify(token)
            return APIIdentity(workflow: run, role: role)
        } catch let refusal as WorkflowTokenVerifier.Refusal {
            switch refusal.kind {
            case .unverified:
                metrics.refused(status: 401)
                throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"shiplog\", error=\"invalid_token\""], message: refusal.description)
            case .noRole:
                metrics.refused(status: 403)
                throw HTTPError(.forbidden, message: refusal.description)
            }
        }
    }
}
