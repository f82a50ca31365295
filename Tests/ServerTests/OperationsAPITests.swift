import Deploy
import ECS
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Reports
import Server
import Simulation
import Testing

@Suite struct OperationsAPITests {
    /// Deploys api to staging through the API, then points the service back at revision 1 behind
    /// the ledger's back.
    func drifted(_ harness: ServiceHarness, _ client: some TestClientProtocol) async throws {
        let accepted = try await client.execute(
            uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
            body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "a1b2c3d"}"#))
        _ = try await harness.outcome(of: try #require(accepted.json["id"] as? String))
        let world = try #require(harness.backend.workflow?.drivers.world)
        _ = try await world.ecs.updateService(cluster: "staging-default", service: "staging-api", taskDefinition: "staging-api:1")
        world.clock.advance(by: .seconds(3600))
    }

    @Test func driftIsReportedAndAReconcileByAMaintainerCorrectsIt() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            try await drifted(harness, client)
            let drift = try await client.execute(uri: "/api/v1/drift", method: .get, headers: .bearer(harness.viewer))
            #expect(drift.status == .ok)
            #expect(drift.json["drifting"] as? Int == 1)
            let services = try #require(drift.json["services"] as? [[String: Any]])
            #expect(services.first { $0["status"] as? String == "drifted" }?["service"] as? String == "staging-api")

            let byDeployer = try await client.execute(uri: "/api/v1/reconcile", method: .post, headers: .bearer(harness.deployer), body: ByteBuffer(string: "{}"))
            #expect(byDeployer.status == .forbidden)

            let dryRun = try await client.execute(
                uri: "/api/v1/reconcile", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: #"{"dry_run": true}"#))
            #expect(dryRun.status == .ok)
            #expect((dryRun.json["plan"] as? [String])?.count == 1)
            #expect(try await world(harness).ecs.describeService(cluster: "staging-default", service: "staging-api").taskDefinition.hasSuffix(":1"))

            let corrected = try await client.execute(uri: "/api/v1/reconcile", method: .post, headers: .bearer(harness.maintainer), body: ByteBuffer(string: "{}"))
            #expect(corrected.status == .ok)
            #expect(corrected.json["still_drifting"] as? Int == 0)
            let correction = try #require((corrected.json["corrections"] as? [[String: Any]])?.first)
            #expect(correction["outcome"] as? String == "succeeded")
            #expect(try harness.store.events(EventFilter(stream: "drift-api-staging")).map(\.type) == ["DriftDetected", "DriftCorrected", "DriftResolved"])
            let after = try await client.execute(uri: "/api/v1/drift", method: .get, headers: .bearer(harness.viewer))
            #expect(after.json["drifting"] as? Int == 0)
            #expect((after.json["last_pass"] as? [String: Any])?["corrected"] as? Int == 1)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains("shiplog_reconcile_last_pass_corrected 1"))
            #expect(metrics.contains("shiplog_reconcile_last_pass_services 6"))
            #expect(metrics.contains("shiplog_reconcile_last_pass_timestamp_seconds"))
        }
    }

    private func world(_ harness: ServiceHarness) throws -> SimulatedWorld {
        try #require(harness.backend.workflow?.drivers.world)
    }

    @Test func verifyReportsAnIntactLog() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/verify", method: .get, headers: .bearer(harness.viewer))
            #expect(response.json["ok"] as? Bool == true)
            #expect(response.json["events"] as? Int == 3)
            #expect((response.json["head_hash"] as? String)?.count == 64)
        }
    }

    @Test func healthAndReadinessAnswerWithoutAToken() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(ready.json["head"] as? Int == 3)
        }
    }

    @Test func metricsCountRequestsAppendsDeploysAndRefusalsInPrometheusText() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            _ = try await client.execute(uri: "/api/v1/environments", method: .get, headers: .bearer(harness.viewer))
            _ = try await client.execute(uri: "/api/v1/environments", method: .get)
            _ = try await client.execute(
                uri: "/api/v1/events", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"stream": "b", "type": "ImageBuilt", "data": {"app": "api", "image": "i", "tag": "t", "digest": "sha256:1"}}"#))
            let accepted = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "broken-build"}"#))
            _ = try await harness.outcome(of: try #require(accepted.json["id"] as? String))
            // The deployment is counted once its task has handed back the result, just after the ledger shows it.
            var metrics = try await client.execute(uri: "/metrics", method: .get)
            let deadline = ContinuousClock.now + .seconds(10)
            while !String(buffer: metrics.body).contains("shiplog_deployments_total"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                metrics = try await client.execute(uri: "/metrics", method: .get)
            }
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: metrics.body)
            #expect(text.contains(#"http_requests_total{method="GET",route="/api/v1/environments",status="200"} 1"#))
            #expect(text.contains(#"http_requests_total{method="GET",route="/api/v1/environments",status="401"} 1"#))
            #expect(text.contains(#"shiplog_access_refused_total{status="401"} 1"#))
            #expect(text.contains("shiplog_events_appended_total 1"))
            #expect(text.contains(#"shiplog_deployments_total{outcome="rolled_back"} 1"#))
            #expect(text.contains(#"shiplog_deployment_duration_seconds_count{outcome="rolled_back"} 1"#))
            #expect(text.contains("http_request_duration_seconds_bucket"))
            #expect(text.contains("shiplog_ledger_head_position"))
            #expect(text.contains("shiplog_drifting_services 0"))
        }
    }

    @Test func proofsAndCheckpointsLetAnAuditorCheckTheLog() async throws {
        let signer = try NoteSigner(generatingKeyNamed: "shiplog-test")
        let harness = try await ServiceHarness(signingKey: signer.keyText)
        try await harness.application().test(.router) { client in
            let inclusion = try await client.execute(uri: "/api/v1/proofs/inclusion?position=2", method: .get, headers: .bearer(harness.viewer))
            #expect(inclusion.status == .ok)
            let expected = try harness.store.inclusionProof(position: 2)
            #expect(inclusion.json["root"] as? String == expected.root.hexString)
            #expect(inclusion.json["path"] as? [String] == expected.hashes.map(\.hexString))
            let consistency = try await client.execute(uri: "/api/v1/proofs/consistency?from=1&to=3", method: .get, headers: .bearer(harness.viewer))
            #expect(consistency.json["new_root"] as? String == expected.root.hexString)
            let checkpoint = try await client.execute(uri: "/api/v1/checkpoint", method: .get, headers: .bearer(harness.viewer))
            #expect(checkpoint.status == .ok)
            let note = String(buffer: checkpoint.body)
            #expect(note.hasPrefix("shiplog-test\n3\n"))
            #expect(note.contains("— shiplog-test "))
            let outOfRange = try await client.execute(uri: "/api/v1/proofs/consistency?from=5&to=3", method: .get, headers: .bearer(harness.viewer))
            #expect(outOfRange.status == .badRequest)
        }
        let unsigned = try await ServiceHarness()
        try await unsigned.application().test(.router) { client in
            let checkpoint = try await client.execute(uri: "/api/v1/checkpoint", method: .get, headers: .bearer(unsigned.viewer))
            #expect(checkpoint.status == .serviceUnavailable)
        }
    }

    @Test func aDeploymentsReceiptIsServedAndChecksWithThePublicKey() async throws {
        let signer = try NoteSigner(generatingKeyNamed: "shiplog-test")
        let harness = try await ServiceHarness(signingKey: signer.keyText)
        try await harness.application().test(.router) { client in
            let accepted = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1"}"#))
            let id = try #require(accepted.json["id"] as? String)
            _ = try await harness.outcome(of: id)
            let served = try await client.execute(uri: "/api/v1/deployments/\(id)/receipt", method: .get, headers: .bearer(harness.viewer))
            #expect(served.status == .ok)
            let receipt = try JSONDecoder().decode(DeploymentReceipt.self, from: Data(String(buffer: served.body).utf8))
            let result = try ReceiptVerifier(publicKey: signer.verifier).verify(receipt)
            #expect(result.deployment == id)
            #expect(result.events == (try harness.store.events(EventFilter(stream: id)).count))
            let unknown = try await client.execute(uri: "/api/v1/deployments/deployment-nope/receipt", method: .get, headers: .bearer(harness.viewer))
            #expect(unknown.status == .notFound)
        }
        let unsigned = try await ServiceHarness()
        try await unsigned.application().test(.router) { client in
            _ = try await unsigned.store.append([NewEvent(stream: "deployment-ci-1", DeploymentRequested(app: "api", environment: "staging", tag: "t", trigger: .merge))])
            let receipt = try await client.execute(uri: "/api/v1/deployments/deployment-ci-1/receipt", method: .get, headers: .bearer(unsigned.viewer))
            #expect(receipt.status == .serviceUnavailable)
        }
    }

    @Test func reportsComeInEveryFormatWithItsContentType() async throws {
        let harness = try await ServiceHarness()
        try await harness.application().test(.router) { client in
            let accepted = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: .bearer(harness.deployer),
                body: ByteBuffer(string: #"{"app": "api", "environment": "staging", "tag": "3f9c2e1"}"#))
            _ = try await harness.outcome(of: try #require(accepted.json["id"] as? String))
            let types = ["csv": "text/csv", "json": "application/json", "markdown": "text/markdown", "html": "text/html"]
            for (format, type) in types {
                let report = try await client.execute(uri: "/api/v1/reports?format=\(format)&app=api", method: .get, headers: .bearer(harness.viewer))
                #expect(report.status == .ok)
                #expect(report.headers[.contentType]?.hasPrefix(type) == true, "\(format)")
                #expect(String(buffer: report.body).contains("3f9c2e1"), "\(format)")
            }
            let bad = try await client.execute(uri: "/api/v1/reports?format=pdf", method: .get, headers: .bearer(harness.viewer))
            #expect(bad.status == .badRequest)
            let centuries = try await client.execute(uri: "/api/v1/reports?since=2026-11-27&until=6189-11-08T15:12:27Z", method: .get, headers: .bearer(harness.viewer))
            #expect(centuries.status == .badRequest)
            #expect(centuries.errorMessage?.contains("a report covers at most 3653 days") == true)
        }
    }
}
