import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Keeps other sites from posting the dashboard's forms with a signed-in browser.
///
/// SameSite=Strict is not enough: another port of the same host is the same site, so its pages
/// get the session cookie sent along, and older browsers ignore the attribute. So every
/// state-changing form carries a token only this service's own pages hold, checked on every
/// POST before anything is read or written, and `Sec-Fetch-Site` must say the request came from
/// this origin (tools that send none pass that check, never the token's).
///
/// The token is HMAC-SHA256 of the session (the `shiplog_token` cookie) under a key drawn when
/// the service starts: nothing is stored, a token is good for one session only, and a restart
/// turns away forms rendered before it (reloading the page gives the new token).
struct FormProtection: Sendable {
    /// The hidden field of every state-changing form.
    static let field = "form_token"

    /// The key's bytes: `SymmetricKey` is not `Sendable`.
    private let key: Data

    init() {
        key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    /// The token the pages served to `request`'s session put in their forms; nil without a session.
    func token(for request: Request) -> String? {
        session(of: request).map(token(session:))
    }

    /// The 403 page for a POST that another site may have sent: `Sec-Fetch-Site` names another
    /// origin, or `presented` is not the session's token. Nil when the request may go on.
    func refusal(_ request: Request, presented: String?) -> Response? {
        if let refused = refuseCrossSite(request) { return refused }
        let expected = session(of: request).map(token(session:))
        guard let expected, let presented, Self.constantTimeEqual(Array(expected.utf8), Array(presented.utf8)) else {
            return HTMLPage.message(
                "Not allowed",
                "This form is out of date or was not sent from this site's own pages; nothing was done. Go back, reload the page and try again.",
                identity: nil, status: .forbidden)
        }
        return nil
    }

    /// The `Sec-Fetch-Site` half of ``refusal(_:presented:)``, for the login form (no session yet to tie a token to).
    func refuseCrossSite(_ request: Request) -> Response? {
        guard let site = request.headers[.secFetchSite], site != "same-origin", site != "none" else { return nil }
        return HTMLPage.message("Not allowed", "This form only works from this site's own pages; nothing was done.", identity: nil, status: .forbidden)
    }

    private func session(of request: Request) -> String? {
        request.cookies[TokenAuthenticator.cookieName].map(\.value).flatMap { $0.isEmpty ? nil : $0 }
    }

    private func token(session: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(session.utf8), using: SymmetricKey(data: key)).map { String(format: "%02x", $0) }.joined()
    }

    /// Takes as long whatever the first difference, so the time to refuse says nothing of the token.
    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension HTTPField.Name {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
