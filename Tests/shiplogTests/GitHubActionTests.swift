import Crypto
import CryptoExtras
import Foundation
import Ledger
import NIOHTTP1
import TestSupport
import Testing

/// GitHub Actions' side of an OIDC login, on loopback: the job's token endpoint
/// (`ACTIONS_ID_TOKEN_REQUEST_URL`, answering the request token with an ID token for the asked
/// audience) and the issuer that publishes the key the tokens are signed with (RS256).
final class ActionsTokenEndpoint: Sendable {
    static let requestToken = "request-token-of-this-job"
    let server: LoopbackHTTPServer
    private let audiences: Shared<[String]>

    init(claims: @escaping @Sendable (_ issuer: String, _ audience: String) -> [String: Any]) async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let audiences = Shared<[String]>([])
        let base = Shared("")
        server = try await LoopbackHTTPServer.start { request in
            let json = [("Content-Type", "application/json")]
            let issuer = base.withLock { $0 }
            let path = request.uri.split(separator: "?").first.map(String.init) ?? ""
            switch path {
            case "/.well-known/openid-configuration":
                return CannedResponse(status: .ok, headers: json, body: #"{"issuer":"\#(issuer)","jwks_uri":"\#(issuer)/.well-known/jwks"}"#)
            case "/.well-known/jwks":
                let primitives = try! key.publicKey.getKeyPrimitives()
                return CannedResponse(status: .ok, headers: json, body: #"{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"k1","n":"\#(Self.base64URL(primitives.modulus))","e":"\#(Self.base64URL(primitives.publicExponent))"}]}"#)
            case "/token":
                guard request.headers.first(name: "Authorization") == "bearer \(Self.requestToken)",
                      let audience = URLComponents(string: request.uri)?.queryItems?.first(where: { $0.name == "audience" })?.value else {
                    return CannedResponse(status: .unauthorized, headers: json, body: #"{"message":"bad request token"}"#)
                }
                audiences.withLock { $0.append(audience) }
                let token = try! Self.sign(claims(issuer, audience), with: key)
                return CannedResponse(status: .ok, headers: json, body: #"{"value":"\#(token)"}"#)
            default:
                return CannedResponse(status: .notFound)
            }
        }
        self.audiences = audiences
        base.withLock { $0 = server.baseURL }
    }

    /// GitHub's request URL carries a query of its own; the client adds `&audience=`.
    var requestURL: String { server.baseURL + "/token?api-version=2.0" }
    var askedAudiences: [String] { audiences.withLock { $0 } }

    static func sign(_ claims: [String: Any], with key: _RSA.Signing.PrivateKey) throws -> String {
        func part(_ object: [String: Any]) throws -> String { base64URL(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) }
        let input = try part(["alg": "RS256", "typ": "JWT", "kid": "k1"]) + "." + part(claims)
        return input + "." + base64URL(try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5).rawRepresentation)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// The action in scripts/github-action run as a workflow runner runs it (scripts/lib/run_action.py
/// reads action.yml, fills the expressions, runs each step with bash under GitHub's variables),
/// against a real `shiplog serve`.
@Suite struct GitHubActionTests {
    let cli = CLI()
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sha = "6d1f7d7a0e2c4b8e9f1a2b3c4d5e6f708192a3b4"

    /// What the workflow step got: the runner's exit status, its log, and the action's outputs.
    struct Step {
        var status: Int32
        var log: String
        var outputs: [String: String]
    }

    /// Runs the action with `inputs` in a job of WordPress/openverse's run 9876543210 on main.
    func runAction(_ inputs: [String: String], environment extra: [String: String] = [:]) async throws -> Step {
        let outputFile = cli.directory.path("github-output-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
        let runnerTemp = cli.directory.path("runner-temp")
        try FileManager.default.createDirectory(atPath: runnerTemp, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.repository.appending(path: "scripts/lib/run_action.py").path, Self.repository.appending(path: "scripts/github-action").path]
            + inputs.sorted { $0.key < $1.key }.flatMap { ["--input", "\($0.key)=\($0.value)"] }
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("GITHUB_") || key.hasPrefix("SHIPLOG_") || key.hasPrefix("ACTIONS_") { environment[key] = nil }
        environment.merge([
            "PATH": CLI.binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin"),
            "GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "WordPress/openverse",
            "GITHUB_RUN_ID": "9876543210", "GITHUB_RUN_ATTEMPT": "2", "GITHUB_SHA": Self.sha, "GITHUB_ACTOR": "ana-maintainer",
            "GITHUB_JOB": "deploy", "GITHUB_ACTION": "record", "GITHUB_WORKSPACE": cli.directory.path(""),
            "GITHUB_OUTPUT": outputFile, "GITHUB_ENV": runnerTemp + "/env", "GITHUB_PATH": runnerTemp + "/path", "RUNNER_TEMP": runnerTemp,
            "XDG_STATE_HOME": cli.directory.path("state"), "SHIPLOG_SERVER_TIMEOUT": "3s",
        ]) { $1 }
        environment.merge(extra) { $1 }
        process.environment = environment
        process.currentDirectoryURL = cli.directory.url
        let run = try await process.output()
        var outputs: [String: String] = [:]
        for line in try String(contentsOfFile: outputFile, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { outputs[String(parts[0])] = String(parts[1]) }
        }
        return Step(status: run.status, log: run.stdout + run.stderr, outputs: outputs)
    }

    func metadata(atPosition position: String?) throws -> [String: Any] {
        let event = try #require(try EventStore(path: cli.database, access: .readOnly).events(EventFilter(type: "ImageBuilt")).last)
        #expect(position == String(event.position))
        return try #require(try JSONSerialization.jsonObject(with: Data(event.metadata.utf8)) as? [String: Any])
    }

    static let built = #"{"stream":"build-7","type":"ImageBuilt","data":{"app":"api","image":"ghcr.io/wordpress/openverse-api","tag":"t7","digest":"sha256:7"}}"#

    @Test func recordWithATokenSetsTheOutputsAndTheEventCarriesTheRun() async throws {
        try await cli.run("init")
        let token = try await cli.run("token", "create", "--name", "ci", "--role", "deployer", "--actor", "ana-maintainer").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let service = RestartableService(cli: cli)
        try await service.start()
        let step = try await runAction(["command": "record", "server-url": service.url, "token": token, "events": Self.built])
        #expect(step.status == 0, "\(step.log)")
        #expect(step.outputs["outcome"] == "recorded", "\(step.outputs)")
        #expect(step.outputs["deployment-id"] == "", "build-7 is not a deployment's stream")
        let metadata = try metadata(atPosition: step.outputs["position"])
        #expect(metadata["actor"] as? String == "ci")
        #expect(metadata["source"] as? String == "https://github.com/WordPress/openverse/actions/runs/9876543210")
        #expect(metadata["commit"] as? String == Self.sha)

        let rerun = try await runAction(["command": "record", "server-url": service.url, "token": token, "events": Self.built])
        #expect(rerun.status == 0, "\(rerun.log)")
        #expect(rerun.outputs["outcome"] == "deduplicated", "a re-run of the job records nothing twice: \(rerun.log)")
        #expect(rerun.outputs["position"] == step.outputs["position"])
    }

    @Test func recordWithTheJobsIDTokenCarriesTheVerifiedRun() async throws {
        let endpoint = try await ActionsTokenEndpoint { issuer, audience in
            let now = Int(Date().timeIntervalSince1970)
            return [
                "iss": issuer, "aud": audience, "sub": "repo:WordPress/openverse:ref:refs/heads/main", "ref": "refs/heads/main",
                "sha": Self.sha, "repository": "WordPress/openverse", "repository_owner": "WordPress", "run_id": "9876543210",
                "run_attempt": "2", "actor": "ana-maintainer", "event_name": "push",
                "workflow_ref": "WordPress/openverse/.github/workflows/deploy.yml@refs/heads/main",
                "job_workflow_ref": "WordPress/openverse/.github/workflows/deploy.yml@refs/heads/main",
                "nbf": now - 5, "iat": now, "exp": now + 300,
            ]
        }
        defer { Task { try? await endpoint.server.stop() } }
        try await cli.run("init")
        let configuration = cli.directory.path("shiplog.yml")
        let text = try String(contentsOfFile: configuration, encoding: .utf8) + """

            oidc:
              issuer: \(endpoint.server.baseURL)
              audience: ledger.example
              roles: [{repository: WordPress/openverse, ref: refs/heads/main, role: deployer}]

            """
        try text.write(toFile: configuration, atomically: true, encoding: .utf8)
        let service = RestartableService(cli: cli)
        try await service.start()
        let step = try await runAction(
            ["command": "record", "server-url": service.url, "audience": "ledger.example", "events": Self.built],
            environment: ["ACTIONS_ID_TOKEN_REQUEST_URL": endpoint.requestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": ActionsTokenEndpoint.requestToken])
        #expect(step.status == 0, "\(step.log)")
        #expect(step.outputs["outcome"] == "recorded", "\(step.log)")
        #expect(endpoint.askedAudiences == ["ledger.example"])
        let metadata = try metadata(atPosition: step.outputs["position"])
        #expect(metadata["actor"] as? String == "ana-maintainer")
        #expect(metadata["auth_method"] as? String == "github-oidc")
        #expect(metadata["source"] as? String == "https://github.com/WordPress/openverse/actions/runs/9876543210/attempts/2")
        #expect(metadata["workflow_ref"] as? String == "WordPress/openverse/.github/workflows/deploy.yml@refs/heads/main")
        #expect(metadata["commit"] as? String == Self.sha)
    }

    @Test func whileTheServiceIsDownRecordSpoolsAndALaterFlushStepSendsIt() async throws {
        try await cli.run("init")
        let token = try await cli.run("token", "create", "--name", "ci", "--role", "deployer", "--actor", "ana-maintainer").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let service = RestartableService(cli: cli)
        try await service.start()
        await service.stop()
        let spooled = try await runAction(["command": "record", "server-url": service.url, "token": token, "events": Self.built])
        #expect(spooled.status == 0, "\(spooled.log)")
        #expect(spooled.outputs["outcome"] == "spooled", "\(spooled.log)")
        #expect(spooled.outputs["position"] == "")
        #expect(spooled.log.contains("warning: cannot reach the shiplog service"))
        let required = try await runAction(["command": "record", "server-url": service.url, "token": token, "events": Self.built, "require-ledger": "true"])
        #expect(required.status == 1, "\(required.log)")
        try await service.start()
        let flushed = try await runAction(["command": "flush", "server-url": service.url, "token": token])
        #expect(flushed.status == 0, "\(flushed.log)")
        #expect(flushed.outputs["outcome"] == "flushed")
        #expect(try EventStore(path: cli.database, access: .readOnly).events(EventFilter(type: "ImageBuilt")).count == 1)
    }

    @Test func deployFollowsTheDeploymentAndSetsItsIdOutcomeAndPosition() async throws {
        try await cli.run("init")
        let token = try await cli.run("token", "create", "--name", "ci", "--role", "deployer", "--actor", "ana-maintainer").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let service = RestartableService(cli: cli)
        try await service.start()
        let deployed = try await runAction(["command": "deploy", "server-url": service.url, "token": token, "app": "api", "environment": "staging", "tag": "3f9c2e1"])
        #expect(deployed.status == 0, "\(deployed.log)")
        #expect(deployed.outputs["outcome"] == "succeeded", "\(deployed.log)")
        #expect(deployed.outputs["deployment-id"] == "deployment-api-staging-1")
        #expect(deployed.log.contains("[00:00] DeploymentRequested "), "the job's log follows the deployment: \(deployed.log)")
        let events = try EventStore(path: cli.database, access: .readOnly).events(EventFilter(stream: "deployment-api-staging-1"))
        #expect(deployed.outputs["position"] == events.last.map { String($0.position) })

        let rolledBack = try await runAction(["command": "deploy", "server-url": service.url, "token": token, "app": "frontend", "environment": "staging", "tag": "broken-build"])
        #expect(rolledBack.status == 3, "the step fails as the command does: \(rolledBack.log)")
        #expect(rolledBack.outputs["outcome"] == "rolled-back")
        #expect(rolledBack.outputs["deployment-id"] == "deployment-frontend-staging-1")
    }

    @Test func badInputsFailTheStepWithOneAnnotation() async throws {
        for (inputs, message) in [
            (["command": "launch", "server-url": "http://127.0.0.1:9"], "command must be record, deploy, rollback, promote or flush, not 'launch'"),
            (["command": "record", "server-url": ""], "server-url is empty and the job sets no SHIPLOG_URL"),
            (["command": "record", "server-url": "http://127.0.0.1:9"], "record needs events or events-file"),
            (["command": "record", "server-url": "http://127.0.0.1:9", "events": "{}", "require-ledger": "yes"], "require-ledger must be true or false, not 'yes'"),
        ] {
            let step = try await runAction(inputs)
            #expect(step.status == 1)
            #expect(step.log.contains("::error title=shiplog::\(message)\n"), "\(step.log)")
        }
    }
}
