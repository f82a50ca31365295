import Access
import Crypto
import CryptoExtras
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import NIOCore
import NIOHTTP1
import Server
import Simulation
import Synchronization
import TestSupport
import Testing

/// An OpenID issuer on loopback as GitHub Actions' is: a discovery document naming its JWKS, RSA
/// keys published by `kid`, tokens signed RS256. Tokens are put together here by hand (base64url
/// JSON, PKCS #1 v1.5 over SHA-256 with swift-crypto's RSA), not with the library shiplog
/// verifies them with, so a forged one can be anything a forger could send.
final class LoopbackIssuer: Sendable {
    let server: LoopbackHTTPServer
    private let state = State()

    /// What the server's handler and the test share.
    private final class State: Sendable {
        let published = Mutex<[(kid: String, key: _RSA.Signing.PrivateKey)]>([])
        let keyFetches = Mutex(0)
        let base = Mutex("")
    }

    init() async throws {
        let state = self.state
        server = try await LoopbackHTTPServer.start { request in
            let json = [("Content-Type", "application/json")]
            switch request.uri {
            case "/.well-known/openid-configuration":
                let issuer = state.base.withLock { $0 }
                return CannedResponse(status: .ok, headers: json, body: #"{"issuer":"\#(issuer)","jwks_uri":"\#(issuer)/.well-known/jwks","subject_types_supported":["public","pairwise"],"response_types_supported":["id_token"],"id_token_signing_alg_values_supported":["RS256"]}"#)
            case "/.well-known/jwks":
                state.keyFetches.withLock { $0 += 1 }
                let keys = state.published.withLock { $0 }.map { entry in
                    let primitives = try! entry.key.publicKey.getKeyPrimitives()
                    return #"{"kty":"RSA","alg":"RS256","use":"sig","kid":"\#(entry.kid)","n":"\#(Self.base64URL(primitives.modulus))","e":"\#(Self.base64URL(primitives.publicExponent))"}"#
                }
                return CannedResponse(status: .ok, headers: json, body: #"{"keys":[\#(keys.joined(separator: ","))]}"#)
            default:
                return CannedResponse(status: .notFound)
            }
        }
        state.base.withLock { $0 = server.baseURL }
    }

    var url: String { server.baseURL }
    var fetches: Int { state.keyFetches.withLock { $0 } }

    /// Publishes a new key (as GitHub does when it rotates) and returns its id.
    @discardableResult
    func rotate(keepingOld: Bool = false) throws -> String {
        let kid = "key-\(UUID().uuidString.prefix(8))"
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        state.published.withLock { keys in
            if !keepingOld { keys.removeAll() }
            keys.append((kid, key))
        }
        return kid
    }

    /// The claims of a run of `WordPress/openverse`'s deploy workflow on main, as GitHub documents
    /// an Actions ID token ("About security hardening with OpenID Connect"), issued at `now`.
    func claims(at now: Date, audience: String = "shiplog") -> [String: Any] {
        let issuedAt = Int(now.timeIntervalSince1970)
        return [
            "jti": "0c6a1e0f-3c1d-4f8e-9d2a-1b2c3d4e5f60", "sub": "repo:WordPress/openverse:ref:refs/heads/main",
            "aud": audience, "ref": "refs/heads/main", "sha": "6d1f7d7a0e2c4b8e9f1a2b3c4d5e6f708192a3b4",
            "repository": "WordPress/openverse", "repository_owner": "WordPress", "repository_owner_id": "276006",
            "repository_id": "500", "repository_visibility": "public", "run_id": "9876543210", "run_number": "42",
            "run_attempt": "2", "runner_environment": "github-hosted", "actor": "ana-maintainer", "actor_id": "12",
            "workflow": "Deploy", "workflow_ref": "WordPress/openverse/.github/workflows/deploy.yml@refs/heads/main",
            "workflow_sha": "6d1f7d7a0e2c4b8e9f1a2b3c4d5e6f708192a3b4", "head_ref": "", "base_ref": "",
            "event_name": "push", "ref_type": "branch", "ref_protected": "true",
            "job_workflow_ref": "WordPress/openverse/.github/workflows/deploy.yml@refs/heads/main",
            "iss": url, "nbf": issuedAt - 5, "iat": issuedAt, "exp": issuedAt + 300,
        ]
    }

    /// `claims` signed RS256 with the newest key (or `kid`'s), `header` fields added.
    func token(_ claims: [String: Any], kid: String? = nil, header: [String: Any] = [:]) throws -> String {
        let entry = try #require(state.published.withLock { keys in kid.map { kid in keys.first { $0.kid == kid } } ?? keys.last })
        var fields: [String: Any] = ["alg": "RS256", "typ": "JWT", "kid": entry.kid]
        fields.merge(header) { $1 }
        let input = try Self.part(fields) + "." + Self.part(claims)
        let signature = try entry.key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + Self.base64URL(signature.rawRepresentation)
    }

    /// The newest key's public half as PEM: what an HS256 forgery keys its HMAC with.
    var publicKeyPEM: String { state.published.withLock { $0.last!.key.publicKey.pemRepresentation } }

    static func part(_ object: [String: Any]) throws -> String {
        base64URL(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

@Suite struct GitHubOIDCTests {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    static func settings(_ issuer: LoopbackIssuer) -> GitHubOIDC {
        GitHubOIDC(issuer: issuer.url, audience: "shiplog", rules: [
            .init(claims: ["repository": "WordPress/openverse", "ref": "refs/heads/main"], role: .deployer),
            .init(claims: ["repository": "WordPress/openverse", "environment": "production"], role: .maintainer),
        ])
    }

    /// The verifier's answer for `token`: the run's actor and role, or the refusal's text.
    static func answer(_ verifier: WorkflowTokenVerifier, _ token: String) async -> String {
        do {
            let (run, role) = try await verifier.verify(token)
            return "\(run.actor) \(role.rawValue)"
        } catch {
            return "\(error)"
        }
    }

    @Test func eachTokenIsAcceptedOrRefusedForWhatItIs() async throws {
        let issuer = try await LoopbackIssuer()
        defer { Task { try? await issuer.server.stop() } }
        let kid = try issuer.rotate()
        let clock = HandClock(Self.start)
        let verifier = WorkflowTokenVerifier(settings: Self.settings(issuer), clock: clock)
        let claims = issuer.claims(at: Self.start)
        func with(_ changes: [String: Any]) -> [String: Any] { claims.merging(changes) { $1 } }
        let valid = try issuer.token(claims)
        let parts = valid.split(separator: ".").map(String.init)
        let forged = try LoopbackIssuer.part(with(["repository": "evil/fork"]))
        let unsignedHeader = try LoopbackIssuer.part(["alg": "none", "typ": "JWT", "kid": kid])
        let hmacHeader = try LoopbackIssuer.part(["alg": "HS256", "typ": "JWT", "kid": kid])
        let hmac = HMAC<SHA256>.authenticationCode(for: Data((hmacHeader + "." + parts[1]).utf8), using: SymmetricKey(data: Data(issuer.publicKeyPEM.utf8)))
        let refused = "GitHub Actions token refused: "

        let cases: [(String, String, String)] = [
            ("valid", valid, "ana-maintainer deployer"),
            ("production environment", try issuer.token(with(["environment": "production"])), "ana-maintainer maintainer"),
            ("expired", try issuer.token(with(["exp": Int(Self.start.timeIntervalSince1970) - 61])),
             refused + "it expired at 2026-11-18T11:05:39Z"),
            ("expired within the leeway", try issuer.token(with(["exp": Int(Self.start.timeIntervalSince1970) - 30])), "ana-maintainer deployer"),
            ("not yet valid", try issuer.token(with(["nbf": Int(Self.start.timeIntervalSince1970) + 120])),
             refused + "it is not valid before 2026-11-18T11:08:40Z"),
            ("wrong audience", try issuer.token(issuer.claims(at: Self.start, audience: "sigstore")), refused + "its audience is sigstore, not shiplog"),
            ("wrong issuer", try issuer.token(with(["iss": "https://token.actions.githubusercontent.com"])),
             refused + "it was issued by 'https://token.actions.githubusercontent.com', not \(issuer.url)"),
            ("unknown key id", try issuer.token(claims, header: ["kid": "key-nobody-published"]), refused + "the issuer has no key key-nobody-published"),
            ("tampered payload", parts[0] + "." + forged + "." + parts[2], refused + "its signature does not verify with the issuer's key \(kid)"),
            ("alg none", unsignedHeader + "." + parts[1] + ".", refused + "the token is signed with alg 'none'; only RS256 is accepted"),
            ("HS256 keyed with the public key", hmacHeader + "." + parts[1] + "." + LoopbackIssuer.base64URL(Data(hmac)),
             refused + "the token is signed with alg 'HS256'; only RS256 is accepted"),
            ("not a JWT", "eyJhbGciOi.not-a-token.x", refused + "it is not a JWT (header.payload.signature, base64url)"),
            ("a repository no rule names", try issuer.token(with(["repository": "someone/else", "repository_owner": "someone"])),
             "no oidc rule gives a role to someone/else (ref refs/heads/main, workflow WordPress/openverse/.github/workflows/deploy.yml@refs/heads/main)"),
            ("a branch no rule names", try issuer.token(with(["ref": "refs/heads/feature"])),
             "no oidc rule gives a role to WordPress/openverse (ref refs/heads/feature, workflow WordPress/openverse/.github/workflows/deploy.yml@refs/heads/main)"),
        ]
        for (name, token, expected) in cases {
            #expect(await Self.answer(verifier, token) == expected, "\(name)")
        }
        // The keys were fetched once, and an unknown kid within the minute did not fetch them again.
        #expect(issuer.fetches == 1)
    }

    @Test func rotatedKeysAreFetchedAgainAndAnIssuerThatCannotBeReachedRefuses() async throws {
        let issuer = try await LoopbackIssuer()
        let first = try issuer.rotate()
        let clock = HandClock(Self.start)
        let verifier = WorkflowTokenVerifier(settings: Self.settings(issuer), clock: clock)
        #expect(await Self.answer(verifier, try issuer.token(issuer.claims(at: clock.now))) == "ana-maintainer deployer")

        let second = try issuer.rotate(keepingOld: true)
        clock.advance(by: 61)
        #expect(await Self.answer(verifier, try issuer.token(issuer.claims(at: clock.now), kid: second)) == "ana-maintainer deployer")
        #expect(await Self.answer(verifier, try issuer.token(issuer.claims(at: clock.now), kid: first)) == "ana-maintainer deployer")
        #expect(issuer.fetches == 2)

        // Past the cache time the keys are fetched again, even for a key id they hold.
        clock.advance(by: 3601)
        #expect(await Self.answer(verifier, try issuer.token(issuer.claims(at: clock.now), kid: second)) == "ana-maintainer deployer")
        #expect(issuer.fetches == 3)
        try await issuer.server.stop()

        var unreachable = Self.settings(issuer)
        unreachable.issuer = "http://127.0.0.1:9"
        let nobody = WorkflowTokenVerifier(settings: unreachable, clock: clock, timeout: .seconds(2))
        var claims = issuer.claims(at: clock.now)
        claims["iss"] = unreachable.issuer
        let answer = await Self.answer(nobody, try issuer.token(claims, kid: second))
        #expect(answer.hasPrefix("GitHub Actions token refused: the issuer's keys could not be fetched from http://127.0.0.1:9/.well-known/openid-configuration ("))
        #expect(!answer.contains("\n"))
    }

    @Test func whatARunAppendsCarriesWhatItsTokenProvesAndABodyThatSaysOtherwiseIsRefused() async throws {
        let issuer = try await LoopbackIssuer()
        defer { Task { try? await issuer.server.stop() } }
        try issuer.rotate()
        let configuration = ExampleConfiguration.text + """

            oidc:
              issuer: "\(issuer.url)"
              audience: shiplog
              roles:
                - {repository: WordPress/openverse, ref: refs/heads/main, role: deployer}
            """
        let harness = try await ServiceHarness(configurationText: configuration)
        let token = try issuer.token(issuer.claims(at: Date()))
        let built = #"{"stream": "build-1", "type": "ImageBuilt", "data": {"app": "api", "image": "ghcr.io/wordpress/openverse-api", "tag": "rel-2024.01.01.00.00.00"}"#

        try await harness.application().test(.router) { client in
            let appended = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(string: built + "}"))
            #expect(appended.status == .created)
            let event = try #require(try harness.store.events(EventFilter(stream: "build-1")).first)
            let metadata = event.decodedMetadata()
            #expect(metadata.actor == "ana-maintainer")
            #expect(metadata.authMethod == "github-oidc")
            #expect(metadata.role == "deployer")
            #expect(metadata.source == "https://github.com/WordPress/openverse/actions/runs/9876543210/attempts/2")
            #expect(metadata.commit == "6d1f7d7a0e2c4b8e9f1a2b3c4d5e6f708192a3b4")
            #expect(metadata.workflowRef == "WordPress/openverse/.github/workflows/deploy.yml@refs/heads/main")

            let before = try harness.store.head()?.position ?? 0
            for (field, value) in [("commit", "0000000000000000000000000000000000000000"), ("source", "https://github.com/WordPress/openverse/actions/runs/1"),
                                   ("on_behalf_of", "ben-maintainer")] {
                let body = built.replacingOccurrences(of: "build-1", with: "build-2") + #", "metadata": {"\#(field)": "\#(value)"}}"#
                let contradicted = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(string: body))
                #expect(contradicted.status.code / 100 == 4, "\(field)")
                #expect(contradicted.errorMessage?.contains("metadata.\(field) is what the GitHub Actions token proves") == true, "\(field)")
            }
            let forgedWorkflow = built.replacingOccurrences(of: "build-1", with: "build-3") + #", "metadata": {"workflow_ref": "x/y/.github/workflows/z.yml@refs/heads/main"}}"#
            let refusedField = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(string: forgedWorkflow))
            #expect(refusedField.status == .badRequest || refusedField.status == .unprocessableContent)
            #expect(try harness.store.head()?.position == before)

            // A verification recorded under the token is its run's; another run's id is refused.
            let e2e = #"{"app": "api", "environment": "staging", "tag": "3f9c2e1", "name": "e2e", "outcome": "passed""#
            let otherRun = try await client.execute(uri: "/api/v1/verifications", method: .post, headers: .bearer(token), body: ByteBuffer(string: e2e + #", "run_id": "1"}"#))
            #expect(otherRun.status == .badRequest)
            #expect(otherRun.errorMessage == "run_id is what the GitHub Actions token proves (9876543210), not '1'")
            #expect(try harness.store.head()?.position == before)
            let verified = try await client.execute(uri: "/api/v1/verifications", method: .post, headers: .bearer(token), body: ByteBuffer(string: e2e + "}"))
            #expect(verified.status == .created)
            let result = try VerificationRecorded.decode(from: try #require(try harness.store.events(EventFilter(type: "VerificationRecorded")).last).data)
            #expect(result.runId == "9876543210")
            #expect(result.url == "https://github.com/WordPress/openverse/actions/runs/9876543210/attempts/2")
            let afterVerification = try harness.store.head()?.position ?? 0

            let expired = try issuer.token(issuer.claims(at: Date(timeIntervalSinceNow: -3600)))
            let late = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(expired), body: ByteBuffer(string: built + "}"))
            #expect(late.status == .unauthorized)
            #expect(late.errorMessage?.hasPrefix("GitHub Actions token refused: it expired at ") == true)

            var stranger = issuer.claims(at: Date())
            stranger["repository"] = "someone/else"
            let unknown = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(try issuer.token(stranger)), body: ByteBuffer(string: built + "}"))
            #expect(unknown.status == .forbidden)
            #expect(try harness.store.head()?.position == afterVerification)
        }
    }
}
