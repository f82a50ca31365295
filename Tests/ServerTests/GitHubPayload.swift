import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Deliveries as GitHub sends them, trimmed to the fields shiplog reads (and a few it does not,
/// to show they are let through), signed as GitHub signs them.
enum GitHubPayload {
    static let secret = "shiplog-test-webhook-secret"

    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!
    static let eventHeader = HTTPField.Name("X-GitHub-Event")!
    static let deliveryHeader = HTTPField.Name("X-GitHub-Delivery")!

    /// The headers of a delivery of `event` with `body`, signed with `secret`.
    static func headers(_ event: String, _ body: String, delivery: String = UUID().uuidString, secret: String = secret) -> HTTPFields {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return [
            .contentType: "application/json", .userAgent: "GitHub-Hookshot/f1a2b3c", eventHeader: event, deliveryHeader: delivery,
            signatureHeader: "sha256=" + mac.map { String(format: "%02x", $0) }.joined(),
        ]
    }

    static let workflowRun = #"""
        {
          "action": "completed",
          "workflow_run": {
            "id": 30433642,
            "name": "Deploy staging",
            "node_id": "MDEyOldvcmtmbG93IFJ1bjI2OTI4OQ==",
            "head_branch": "main",
            "head_sha": "acb5820ced9479c074f688cc328bf03f341a511d",
            "path": ".github/workflows/deploy-staging.yml",
            "run_number": 562,
            "run_attempt": 1,
            "event": "push",
            "status": "completed",
            "conclusion": "failure",
            "workflow_id": 159038,
            "html_url": "https://github.com/WordPress/openverse/actions/runs/30433642",
            "created_at": "2026-11-27T10:00:00Z",
            "actor": {"login": "ana", "id": 1001, "type": "User"},
            "triggering_actor": {"login": "ana", "id": 1001, "type": "User"},
            "head_commit": {"id": "acb5820ced9479c074f688cc328bf03f341a511d", "timestamp": "2026-11-27T09:58:12Z"}
          },
          "workflow": {"id": 159038, "name": "Deploy staging", "path": ".github/workflows/deploy-staging.yml"},
          "repository": {"id": 75602183, "name": "openverse", "full_name": "WordPress/openverse", "private": false},
          "sender": {"login": "ana", "id": 1001, "type": "User"}
        }
        """#

    static let deployment = #"""
        {
          "action": "created",
          "deployment": {
            "url": "https://api.github.com/repos/WordPress/openverse/deployments/145988746",
            "id": 145988746,
            "node_id": "MDEwOkRlcGxveW1lbnQxNDU5ODg3NDY=",
            "sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
            "ref": "main",
            "task": "deploy",
            "payload": {},
            "original_environment": "production",
            "environment": "production",
            "description": null,
            "creator": {"login": "ana", "id": 1001, "type": "User"},
            "created_at": "2026-11-27T10:05:00Z"
          },
          "repository": {"id": 75602183, "name": "openverse", "full_name": "WordPress/openverse", "private": false},
          "sender": {"login": "ana", "id": 1001, "type": "User"}
        }
        """#

    static let deploymentStatus = #"""
        {
          "action": "created",
          "deployment_status": {
            "url": "https://api.github.com/repos/WordPress/openverse/deployments/145988746/statuses/209916254",
            "id": 209916254,
            "state": "success",
            "creator": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
            "description": "",
            "environment": "production",
            "target_url": "",
            "log_url": "https://github.com/WordPress/openverse/actions/runs/30433650",
            "created_at": "2026-11-27T10:09:30Z",
            "deployment_url": "https://api.github.com/repos/WordPress/openverse/deployments/145988746"
          },
          "deployment": {
            "url": "https://api.github.com/repos/WordPress/openverse/deployments/145988746",
            "id": 145988746,
            "sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
            "ref": "main",
            "task": "deploy",
            "environment": "production",
            "creator": {"login": "ana", "id": 1001, "type": "User"}
          },
          "repository": {"id": 75602183, "name": "openverse", "full_name": "WordPress/openverse", "private": false},
          "sender": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
        }
        """#

    static let ping = #"""
        {
          "zen": "Design for failure.",
          "hook_id": 109948940,
          "hook": {"type": "Repository", "id": 109948940, "active": true, "events": ["workflow_run", "deployment", "deployment_status"]},
          "repository": {"id": 75602183, "full_name": "WordPress/openverse"},
          "sender": {"login": "ana", "id": 1001, "type": "User"}
        }
        """#
}

extension TestClientProtocol {
    /// Posts a delivery of `event` signed as GitHub would.
    func deliver(_ event: String, _ body: String, delivery: String = UUID().uuidString, secret: String = GitHubPayload.secret) async throws -> TestResponse {
        try await execute(uri: "/webhooks/github", method: .post, headers: GitHubPayload.headers(event, body, delivery: delivery, secret: secret),
                          body: ByteBuffer(string: body))
    }
}
