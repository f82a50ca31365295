import Access
import Hummingbird
import HummingbirdAuth

/// Finds who a request is from: a bearer token, or (for the dashboard in a browser) the token
/// kept in the `shiplog_token` cookie. An unknown, revoked or expired token is no identity at all.
struct TokenAuthenticator: AuthenticatorMiddleware {
    typealias Context = ShiplogRequestContext
    typealias Identity = APIIdentity

    static let cookieName = "shiplog_token"

    let tokens: AccessTokens

    func authenticate(request: Request, context: Context) async throws -> APIIdentity? {
        if let bearer = request.headers.bearer {
            return try await tokens.authenticate(secret: bearer.token)
        }
        if let cookie = request.cookies[Self.cookieName] {
            return try await tokens.authenticate(secret: cookie.value)
        }
        return nil
    }
}
