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

    static let formContentType = "application/x-www-form-urlencoded"

    /// The headers of a delivery of `event` with `body`, signed with `secret`.
    static func headers(
        _ event: String, _ body: String, delivery: String = UUID().uuidString, secret: String = secret,
        contentType: String = "application/json"
    ) -> HTTPFields {
        [
            .contentType: contentType, .userAgent: "GitHub-Hookshot/f1a2b3c", eventHeader: event, deliveryHeader: delivery,
            signatureHeader: signature(Data(body.utf8), secret: secret),
        ]
    }

    /// `X-Hub-Signature-256` for `body`.
    static func signature(_ body: Data, secret: String = secret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// `payload=<json>` as GitHub sends a webhook whose content type is
    /// `application/x-www-form-urlencoded`: every byte but letters, digits and `*-._` escaped,
    /// spaces as `+` (the WHATWG URL standard's urlencoded serializer).
    static func formEncoded(_ json: String) -> String {
        var body = "payload="
        for byte in json.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                body.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                body += "+"
            default:
                body += String(format: "%%%02X", byte)
            }
        }
        return body
    }

    /// The shape of GitHub's documented `workflow_run` example (docs.github.com, "Webhook events and
    /// payloads"; octokit/webhooks' `workflow_run/completed.payload.json`), trimmed of URLs: the
    /// run's `name` is empty, there is no `actor`, `triggering_actor` or `run_attempt`, and the
    /// workflow's name is in the top-level `workflow`.
    static let documentedWorkflowRun = #"""
        {
          "action": "completed",
          "organization": {"login": "octo-org", "id": 41548062},
          "repository": {"id": 300029405, "name": "octo-repo", "full_name": "octo-org/octo-repo", "private": false},
          "sender": {"login": "Codertocat", "id": 15669918, "type": "User", "site_admin": false},
          "workflow": {
            "badge_url": "https://github.com/octo-org/octo-repo/workflows/test/badge.svg",
            "created_at": "2020-10-02T12:42:30.000Z",
            "html_url": "https://github.com/octo-org/octo-repo/blob/master/.github/workflows/test.yml",
            "id": 2823525,
            "name": "test",
            "node_id": "MDg6V29ya2Zsb3cyODIzNTI1",
            "path": ".github/workflows/test.yml",
            "state": "active",
            "updated_at": "2020-10-03T19:24:48.000Z",
            "url": "https://api.github.com/repos/octo-org/octo-repo/actions/workflows/2823525"
          },
          "workflow_run": {
            "name": "",
            "check_suite_id": 1291536064,
            "conclusion": "success",
            "created_at": "2020-10-05T16:33:24Z",
            "event": "repository_dispatch",
            "head_branch": "master",
            "head_commit": {
              "author": {"email": "matfax@users.noreply.github.com", "name": "Matthias Fax"},
              "committer": {"email": "noreply@github.com", "name": "GitHub"},
              "id": "3484a3fb816e0859fd6e1cea078d76385ff50625",
              "message": "build(test): check workflow run event payload",
              "timestamp": "2020-10-05T16:32:07Z",
              "tree_id": "c30f6c3377009c4c91c85d1f15deb6f2b7c2eb37"
            },
            "head_sha": "3484a3fb816e0859fd6e1cea078d76385ff50625",
            "html_url": "https://github.com/octo-org/octo-repo/actions/runs/289782451",
            "id": 289782451,
            "pull_requests": [],
            "run_number": 163,
            "status": "completed",
            "updated_at": "2020-10-05T16:33:49Z",
            "url": "https://api.github.com/repos/octo-org/octo-repo/actions/runs/289782451",
            "workflow_id": 2823525
          }
        }
        """#

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
    func deliver(
        _ event: String, _ body: String, delivery: String = UUID().uuidString, secret: String = GitHubPayload.secret,
        contentType: String = "application/json"
    ) async throws -> TestResponse {
        try await execute(
            uri: "/webhooks/github", method: .post,
            headers: GitHubPayload.headers(event, body, delivery: delivery, secret: secret, contentType: contentType),
            body: ByteBuffer(string: body))
    }

    /// Posts `json` as a form-encoded delivery (`payload=...`), signed over the form body.
    func deliverForm(_ event: String, _ json: String, delivery: String = UUID().uuidString) async throws -> TestResponse {
        try await deliver(event, GitHubPayload.formEncoded(json), delivery: delivery, contentType: GitHubPayload.formContentType)
    }
}
