import Foundation

/// How the CLI proves who it is to the service: an API token (`SHIPLOG_TOKEN`), or inside a GitHub
/// Actions job granted `id-token: write`, an ID token minted for the service's audience.
enum ServiceCredential: Sendable {
    case token(String)
    /// GitHub's token endpoint for this job, asked on first use (tokens live minutes, jobs longer).
    case githubActions(requestURL: String, requestToken: String, audience: String)
    case none

    /// `SHIPLOG_TOKEN`, else the GitHub Actions exchange when the job may mint ID tokens
    /// (`SHIPLOG_OIDC_AUDIENCE`, else `shiplog`, must be the audience `oidc:` expects).
    ///
    /// - Throws: ``ServiceError`` when `SHIPLOG_TOKEN` is neither an API token nor an ID token.
    init(environment: [String: String]) throws {
        if let token = environment["SHIPLOG_TOKEN"], !token.isEmpty {
            guard Self.isAPIToken(token) || Self.looksLikeJWT(token) else {
                throw ServiceError.invalid(
                    "SHIPLOG_TOKEN is not a shiplog token (shiplog_..., from `shiplog token create`) or a GitHub Actions ID token")
            }
            self = .token(token)
        } else if let url = environment["ACTIONS_ID_TOKEN_REQUEST_URL"], !url.isEmpty,
                  let requestToken = environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], !requestToken.isEmpty {
            let audience = environment["SHIPLOG_OIDC_AUDIENCE"].flatMap { $0.isEmpty ? nil : $0 } ?? "shiplog"
            self = .githubActions(requestURL: url, requestToken: requestToken, audience: audience)
        } else {
            self = .none
        }
    }

    static func isAPIToken(_ token: String) -> Bool {
        token.hasPrefix("shiplog_") && token.count > 8 && token.allSatisfy { $0.isASCII && !$0.isWhitespace }
    }

    /// Three base64url segments, as a JWT is written.
    static func looksLikeJWT(_ token: String) -> Bool {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return segments.count == 3 && segments.prefix(2).allSatisfy { !$0.isEmpty } && segments.allSatisfy { $0.allSatisfy(alphabet.contains) }
    }
}
