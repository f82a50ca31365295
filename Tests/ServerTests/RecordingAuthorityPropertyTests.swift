import Access
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import PropertyBased
import Server
import TestSupport
import Testing

/// Random sequences of appends by random principals — tokens of each role, a bot acting for
/// people it may and may not act for, GitHub's webhook — through the real router.
@Suite struct RecordingAuthorityPropertyTests {
    /// Who sends a request, and where it may deploy under the example configuration.
    struct Sender {
        var name: String
        var token: String?
        var onBehalfOf: String?
        var mayDeploy: Set<String>
    }

    @Test func noPrincipalChangesAnEnvironmentItCouldNotDeployToNorWritesATokenEvent() async throws {
        await propertyCheck(count: 12, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            do {
                try await run(seed: UInt64(seed))
            } catch {
                Issue.record(error, "seed \(seed)")
            }
        }
    }

    private func run(seed: UInt64) async throws {
        let harness = try await ServiceHarness(webhookSecret: GitHubPayload.secret)
        let bot = try await harness.backend.tokens.issue(name: "openverse-bot", role: .maintainer, metadata: EventMetadata(actor: "test-admin")).secret
        let senders = [
            Sender(name: "vera-viewer", token: harness.viewer, mayDeploy: []),
            Sender(name: "dave-deployer", token: harness.deployer, mayDeploy: ["staging"]),
            Sender(name: "ana-maintainer", token: harness.maintainer, mayDeploy: ["staging", "production"]),
            Sender(name: "openverse-bot", token: bot, onBehalfOf: "ben-maintainer", mayDeploy: ["staging", "production"]),
            Sender(name: "openverse-bot", token: bot, onBehalfOf: "cara-contributor", mayDeploy: []),
            Sender(name: "github", token: nil, mayDeploy: []),
        ]
        let issuedTokens = try harness.store.events(EventFilter(stream: "tokens")).count
        try await harness.application().test(.router) { client in
            var random = SplitMix64(seed: seed)
            var streams: [String] = ["tokens", "access", "environment-api-production"]
            for step in 0..<24 {
                let sender = senders.randomElement(using: &random)!
                let before = try harness.store.environmentStates()
                if let token = sender.token {
                    let stream = Bool.random(using: &random) ? "deployment-\(seed)-\(step)" : streams.randomElement(using: &random)!
                    streams.append(stream)
                    let body = Self.body(stream: stream, onBehalfOf: sender.onBehalfOf, random: &random)
                    _ = try await client.execute(uri: "/api/v1/events", method: .post, headers: .bearer(token), body: ByteBuffer(string: body))
                } else {
                    _ = try await client.deliver("workflow_run", GitHubPayload.workflowRun)
                }
                let after = try harness.store.environmentStates()
                let changed = Set(after.filter { !before.contains($0) }.map(\.environment))
                    .union(before.filter { !after.contains($0) }.map(\.environment))
                #expect(changed.isSubset(of: sender.mayDeploy),
                        "seed \(seed) step \(step): \(sender.name) for \(sender.onBehalfOf ?? "itself") changed \(changed.sorted())")
            }
        }
        let tokenEvents = try harness.store.events(EventFilter(stream: "tokens"))
        #expect(tokenEvents.count == issuedTokens, "no token event was written since the harness issued its tokens")
        #expect(tokenEvents.allSatisfy { $0.decodedMetadata().actor == "test-admin" })
    }

    /// One event of a random kind: a deployment's request or step, a build, or a type only shiplog writes.
    private static func body(stream: String, onBehalfOf: String?, random: inout SplitMix64) -> String {
        let environment = Bool.random(using: &random) ? "production" : "staging"
        let trigger = ["merge", "release", "rollback", "manual"].randomElement(using: &random)!
        let data: (type: String, data: String) = [
            ("DeploymentRequested", #"{"app": "api", "environment": "\#(environment)", "tag": "t\#(random.next() % 100)", "trigger": "\#(trigger)"}"#),
            ("DeploymentStable", #"{"task_definition_arn": "arn:aws:ecs:us-east-1:1:task-definition/\#(environment)-api:\#(random.next() % 50)"}"#),
            ("RolledBackAutomatically", #"{"task_definition_arn": "arn:aws:ecs:us-east-1:1:task-definition/\#(environment)-api:1"}"#),
            ("DeploymentFailed", #"{"stage": "stabilize", "reason": "unhealthy"}"#),
            ("ImageBuilt", #"{"image": "ghcr.io/wordpress/openverse-api", "tag": "t1"}"#),
            ("TokenIssued", #"{"token_id": "forged", "name": "dave-deployer", "role": "maintainer", "hash": "00"}"#),
            ("TokenRevoked", #"{"token_id": "forged"}"#),
            ("DeploymentClaimed", #"{"deployment_id": "\#(stream)", "app": "api", "environment": "\#(environment)", "owner": "1@elsewhere"}"#),
            ("DriftResolved", #"{"app": "api", "environment": "\#(environment)", "how": "external"}"#),
        ].randomElement(using: &random)!
        let metadata = onBehalfOf.map { #", "metadata": {"on_behalf_of": "\#($0)"}"# } ?? ""
        return #"{"stream": "\#(stream)", "type": "\#(data.type)", "data": \#(data.data)\#(metadata)}"#
    }
}
