import AWS
import Deploy
import ECS
import Foundation
import Ledger
import TestSupport
import Testing

/// Drift made through the AWS API directly, behind the ledger's back, on moto.
@Suite(.enabled(if: TestServices.runMotoTests, "\(TestServices.motoMissing)"))
struct ReconcilerMotoTests {
    let moto: DeployMotoTests

    init() throws {
        moto = try DeployMotoTests()
    }

    @Test func driftMadeThroughTheAWSAPIIsDetectedOnceCorrectedAndResolved() async throws {
        let configuration = try await moto.seed()
        let store = try EventStore(path: moto.directory.path("ledger.sqlite"), access: .readWrite(create: true))
        let engine = moto.engine(configuration, store: store)
        let ecs = AWSECSClient(configuration: moto.aws)
        let metadata = EventMetadata(actor: "ana-maintainer")
        let deployed = try await engine.deploy(app: "api", environment: "staging", tag: "v2", trigger: .merge, metadata: metadata)
        #expect(deployed.outcome == .succeeded, "\(deployed.summary)")
        let desired = try await ecs.describeService(cluster: moto.cluster, service: moto.service).taskDefinition

        // Someone points the service back at revision 1 with the AWS API.
        _ = try await ecs.updateService(cluster: moto.cluster, service: moto.service, taskDefinition: "\(moto.service):1")
        let reconciler = Reconciler(engine: engine, detector: DriftDetector(configuration: configuration, ecs: ecs))
        for _ in 0..<3 {
            let pass = try await reconciler.pass(mode: .report, metadata: metadata)
            #expect(pass.drift.drifted.map(\.service) == [moto.service])
        }
        #expect(try store.events(EventFilter(stream: "drift-api-staging")).map(\.type) == ["DriftDetected"])

        let corrected = try await reconciler.pass(mode: .correct(nil), metadata: metadata)
        #expect(corrected.corrections.map(\.outcome) == [.succeeded])
        #expect(try await ecs.describeService(cluster: moto.cluster, service: moto.service).taskDefinition == desired)
        #expect(try store.events(EventFilter(stream: "drift-api-staging")).map(\.type) == ["DriftDetected", "DriftCorrected", "DriftResolved"])
        #expect(try store.deployments().first?.trigger == "reconcile")
        let after = try await reconciler.pass(mode: .report, metadata: metadata)
        #expect(after.drift.drifted.isEmpty)
    }
}
