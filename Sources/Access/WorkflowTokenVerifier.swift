import AsyncHTTPClient
import Clocks
import Foundation
import JWTKit
import NIOCore
import NIOHTTP1
import Synchronization

/// Verifies GitHub Actions ID tokens (``GitHubOIDC``): an RS256 signature by a key of the
/// issuer's JWKS, then `iss`, `aud`, `exp`, `nbf` and `iat` (with the configured leeway) by
/// shiplog's clock, then the rules that give the run a role.
///
/// The signature is JWTKit's to check; what is ours is which tokens get that far. Only `RS256`
/// with a `kid` of the issuer's current keys is tried: `alg: none`, an HMAC algorithm keyed with
/// the public key, or a key the issuer never published are refused before any key is used. The
/// keys are fetched through the issuer's discovery document and kept for ``GitHubOIDC/keyCacheTime``;
/// a `kid` they lack fetches them again (GitHub rotates keys), at most once a minute.
///
/// ```swift
/// let verifier = WorkflowTokenVerifier(settings: configuration.oidc!)
/// let (run, role) = try await verifier.verify(bearer)
/// ```
public final class WorkflowTokenVerifier: Sendable {
    /// Why a token was refused: `unverified` (401) or `noRole` (a genuine run no rule names, 403).
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public enum Kind: Sendable, Equatable { case unverified, noRole }
        public let kind: Kind
        public let description: String
    }

    public let settings: GitHubOIDC
    private let clock: any ShiplogClock
    private let httpClient: HTTPClient
    private let timeout: TimeAmount
    private let keys = Mutex<Keys?>(nil)

    /// The issuer's keys as last fetched.
    private struct Keys {
        var collection: JWTKeyCollection
        var ids: Set<String>
        var fetchedAt: Date
    }

    /// Unknown key ids fetch the keys again no more often than this.
    static let refetchInterval: TimeInterval = 60

    /// - Parameter clock: what token times and the key cache are judged by.
    public init(settings: GitHubOIDC, clock: any ShiplogClock = SystemClock(), httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.settings = settings
        self.clock = clock
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// Whether `credential` is shaped as a JWT (three base64url parts), not a shiplog token.
    public static func looksLikeJWT(_ credential: String) -> Bool {
        credential.hasPrefix("eyJ") && credential.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2
    }

    /// The run `token` was issued to and the role the rules give it.
    ///
    /// - Throws: ``Refusal``, saying which check failed.
    public func verify(_ token: String) async throws -> (run: WorkflowRun, role: Role) {
        let header = try Self.header(of: token)
        guard header.alg == "RS256" else {
            throw Self.unverified("the token is signed with alg '\(header.alg ?? "none")'; only RS256 is accepted")
        }
        guard let kid = header.kid, !kid.isEmpty else { throw Self.unverified("the token names no key (kid)") }
        let collection = try await keys(containing: kid)
        let claims: Claims
        do {
            claims = try await collection.verify(token, as: Claims.self)
        } catch {
            throw Self.unverified("its signature does not verify with the issuer's key \(kid)")
        }
        let run = try check(claims)
        guard let role = settings.role(of: run) else {
            throw Refusal(kind: .noRole, description: "no oidc rule gives a role to \(run.repository) (ref \(run.ref)\(run.environment.map { ", environment \($0)" } ?? ""), workflow \(run.workflowRef))")
        }
        return (run, role)
    }

    /// The registered claims by shiplog's clock, then the run's own.
    private func check(_ claims: Claims) throws -> WorkflowRun {
        let now = clock.now.timeIntervalSince1970
        let leeway = settings.leeway.timeInterval
        guard claims.iss == settings.issuer else {
            throw Self.unverified("it was issued by '\(claims.iss ?? "nobody")', not \(settings.issuer)")
        }
        guard let audience = claims.aud?.value, audience.contains(settings.audience) else {
            throw Self.unverified("its audience is \(claims.aud?.value.joined(separator: ", ") ?? "missing"), not \(settings.audience)")
        }
        guard let exp = claims.exp else { throw Self.unverified("it has no expiry (exp)") }
        guard exp + leeway > now else { throw Self.unverified("it expired at \(Self.time(exp))") }
        if let nbf = claims.nbf, nbf - leeway > now { throw Self.unverified("it is not valid before \(Self.time(nbf))") }
        if let iat = claims.iat, iat - leeway > now { throw Self.unverified("it was issued in the future (\(Self.time(iat)))") }
        func required(_ value: String?, _ name: String) throws -> String {
            guard let value, !value.isEmpty else { throw Self.unverified("it has no '\(name)' claim: not a GitHub Actions token") }
            return value
        }
        return WorkflowRun(
            repository: try required(claims.repository, "repository"), repositoryOwner: try required(claims.repository_owner, "repository_owner"),
            ref: try required(claims.ref, "ref"), sha: try required(claims.sha, "sha"), workflowRef: try required(claims.workflow_ref, "workflow_ref"),
            jobWorkflowRef: claims.job_workflow_ref, runId: try required(claims.run_id, "run_id"), runAttempt: try required(claims.run_attempt, "run_attempt"),
            actor: try required(claims.actor, "actor"), environment: claims.environment, eventName: try required(claims.event_name, "event_name"),
            serverURL: settings.serverURL)
    }

    /// The issuer's keys holding `kid`: the cached ones while fresh, else fetched again.
    private func keys(containing kid: String) async throws -> JWTKeyCollection {
        let now = clock.now
        let cached = keys.withLock { $0 }
        if let cached, cached.ids.contains(kid), now.timeIntervalSince(cached.fetchedAt) < settings.keyCacheTime.timeInterval {
            return cached.collection
        }
        if let cached, !cached.ids.contains(kid), now.timeIntervalSince(cached.fetchedAt) < Self.refetchInterval {
            throw Self.unverified("the issuer has no key \(kid)")
        }
        let fetched = try await fetchKeys(at: now)
        keys.withLock { $0 = fetched }
        guard fetched.ids.contains(kid) else { throw Self.unverified("the issuer has no key \(kid)") }
        return fetched.collection
    }

    private func fetchKeys(at now: Date) async throws -> Keys {
        let discovery = settings.issuer + "/.well-known/openid-configuration"
        let document = try JSONDecoder().decode(Discovery.self, from: try await get(discovery))
        guard let jwksURI = document.jwks_uri, Self.isTrusted(jwksURI) else {
            throw Self.unverified("the issuer's discovery document \(discovery) names no https jwks_uri")
        }
        let body = try await get(jwksURI)
        let jwks: JWKS
        do {
            jwks = try JSONDecoder().decode(JWKS.self, from: body)
        } catch {
            throw Self.unverified("the issuer's keys at \(jwksURI) are not a JWKS")
        }
        let collection = JWTKeyCollection()
        var ids: Set<String> = []
        for key in jwks.keys where key.keyType == .rsa {
            guard let kid = key.keyIdentifier?.string else { continue }
            do {
                try await collection.add(jwk: key)
                ids.insert(kid)
            } catch {
                continue
            }
        }
        return Keys(collection: collection, ids: ids, fetchedAt: now)
    }

    private func get(_ url: String) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "shiplog")
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1024 * 1024)
            guard response.status.code == 200 else { throw Self.unverified("the issuer's keys could not be fetched: \(url) answered HTTP \(response.status.code)") }
            return Data(body.readableBytesView)
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Self.unverified("the issuer's keys could not be fetched from \(url) (\(String("\(error)".prefix(120))))")
        }
    }

    /// https anywhere; plain http only on loopback, where a test or a local issuer runs.
    public static func isTrusted(_ url: String) -> Bool {
        guard let parsed = URL(string: url), let host = parsed.host else { return false }
        return parsed.scheme == "https" || (parsed.scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host))
    }

    private static func header(of token: String) throws -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URL: String(parts[0])),
              let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw unverified("it is not a JWT (header.payload.signature, base64url)")
        }
        return header
    }

    private static func unverified(_ why: String) -> Refusal {
        Refusal(kind: .unverified, description: "GitHub Actions token refused: \(why)")
    }

    private static func time(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }

    private struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    private struct Discovery: Decodable {
        var jwks_uri: String?
    }

    /// The claims GitHub puts in an Actions ID token; checked by ``check(_:)`` with shiplog's
    /// clock and leeway once JWTKit has verified the signature, so `verify(using:)` adds nothing.
    struct Claims: JWTPayload {
        var iss: String?
        var aud: AudienceClaim?
        var exp: Double?
        var nbf: Double?
        var iat: Double?
        var repository: String?
        var repository_owner: String?
        var ref: String?
        var sha: String?
        var workflow_ref: String?
        var job_workflow_ref: String?
        var run_id: String?
        var run_attempt: String?
        var actor: String?
        var environment: String?
        var event_name: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}

extension Data {
    /// Base64url without padding, as JWTs are written.
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
