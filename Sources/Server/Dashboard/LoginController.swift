import Access
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Signing in to the dashboard from a browser: `GET /login` shows a form for an API token,
/// `POST /login` checks it and keeps it in the `shiplog_token` cookie that
/// ``TokenAuthenticator`` reads, `POST /logout` clears it (with the session's form token, see
/// ``FormProtection``: there is no session yet to tie one to when logging in).
///
/// The cookie is HttpOnly (page scripts cannot read the token) and SameSite=Strict (other sites
/// cannot make the browser send it). It has no Secure flag because the service may be reached
/// over plain HTTP on loopback; put TLS in front of it anywhere else.
struct LoginController {
    let backend: Backend

    /// What the form shows: why the last attempt failed, if it did.
    struct Page: Sendable {
        let notice: String?
    }

    /// The form's one field, `application/x-www-form-urlencoded`.
    struct Form: Decodable {
        var token: String
    }

    /// The log-out form's one field.
    struct LogoutForm: Decodable {
        var formToken: String?

        enum CodingKeys: String, CodingKey {
            case formToken = "form_token"
        }
    }

    var endpoints: RouteCollection<ShiplogRequestContext> {
        RouteCollection(context: ShiplogRequestContext.self)
            .get("login", use: form)
            .post("login", use: login)
            .post("logout", use: logout)
    }

    /// The form; a browser that already holds a valid token goes straight to the dashboard.
    @Sendable func form(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        if context.identity != nil { return .redirect(to: "/", type: .normal) }
        return HTMLPage.response("login", Page(notice: nil))
    }

    /// A valid token: the cookie and a 303 to the dashboard. Anything else: the form again, 401.
    @Sendable func login(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        if let refused = backend.forms.refuseCrossSite(request) { return refused }
        let body = try await request.body.collect(upTo: 4096)
        let token = (try? URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body)))?.token
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !token.isEmpty, let identity = try await backend.tokens.authenticate(secret: token) else {
            backend.metrics.refused(status: 401)
            return HTMLPage.response("login", Page(notice: "That token is not valid: it is unknown, was revoked or has expired."), status: .unauthorized)
        }
        if let reason = await backend.policy.refusal(.read, by: identity.principal) {
            backend.metrics.refused(status: 403)
            return HTMLPage.response("login", Page(notice: "That token may not read the ledger: \(reason)."), status: .forbidden)
        }
        var response = Response.redirect(to: "/", type: .normal)
        response.setCookie(Cookie(name: TokenAuthenticator.cookieName, value: token, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    /// Clears the cookie and shows the form.
    @Sendable func logout(_ request: Request, context: ShiplogRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 4096)
        let form = try? URLEncodedFormDecoder().decode(LogoutForm.self, from: String(buffer: body))
        if let refused = backend.forms.refusal(request, presented: form?.formToken) { return refused }
        var response = Response.redirect(to: "/login", type: .normal)
        response.setCookie(Cookie(name: TokenAuthenticator.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }
}
