import Deploy
import ECS
import Foundation
import Ledger
import Simulation
import TestSupport
import Testing

/// A flow killed after any step is found on the next start and closed from ECS's actual state.
struct ResumeTests {
    @Test(arguments: DeploymentStep.allCases)
    func aDeployCrashedAfterAStepIsClosedOnTheNextStartAndNeverRecordedTwice(step: DeploymentStep) async throws {
        let harness = try await Harness()
        var crashing = harness.engine()
        crashing.afterStep = { reached, _ in if reached == step { throw DeployError.crashed(after: step) } }
        let crash = await #expect(throws: DeployError.self) {
            try await crashing.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        }
        #expect(crash?.code == .crashed)
        let id = "deployment-api-staging-1"
        #expect(try harness.types(id).allSatisfy { !deploymentTerminalTypes.contains($0) }, "the crash left the attempt open")
        #expect(try harness.store.deployments().first?.outcome == .inProgress)

        let results = try await harness.engine().resumeInterrupted(metadata: Harness.ana)
        let result = try #require(results.first)
        #expect(results.count == 1)
        #expect(result.id == id)
        let service = try await harness.service("staging-api")
        let types = try harness.types(id)
        if [.serviceUpdated, .stabilized].contains(step) {
            // ECS was told: the resumed flow follows the rollout to its end.
            #expect(result.outcome == .succeeded)
            #expect(service.taskDefinition.hasSuffix("staging-api:2"))
            #expect(types.filter { $0 == "ServiceUpdated" }.count == 1)
        } else {
            // ECS was never told: the attempt is closed as failed at the step it stopped before.
            #expect(result.outcome == .failed)
            #expect(result.failureStage == [.requested: "verify", .imagesVerified: "render", .rendered: "register", .registered: "update"][step])
            #expect(result.reason?.contains("interrupted after \(step.rawValue)") == true)
            #expect(service.taskDefinition.hasSuffix("staging-api:1"))
        }
        #expect(types.filter { deploymentTerminalTypes.contains($0) }.count == 1)
        #expect(try harness.types(EnvironmentClaim.stream(app: "api", environment: "staging")) ==
                ["DeploymentClaimed", "DeploymentClaimed", "DeploymentClaimReleased"], "the resuming process claimed it, then let it go")
        #expect(try harness.store.deployments().first?.outcome == result.outcome)

        let count = try harness.store.events().count
        let again = try await harness.engine().resume(id, metadata: Harness.ana)
        #expect(again == result)
        #expect(try await harness.engine().resumeInterrupted(metadata: Harness.ana).isEmpty)
        #expect(try harness.store.events().count == count, "closing twice records nothing")

        let next = try await harness.engine().deploy(app: "api", environment: "staging", tag: "a1b2c3d", metadata: Harness.cara)
        #expect(next.outcome == .succeeded, "the environment is free again")
    }

    @Test func aDeployWhoseRunIsAliveIsLeftAloneAndCannotBeResumed() async throws {
        let harness = try await Harness()
        var engine = harness.engine()
        let refusal = Box<String>()
        let plain = harness.engine()
        engine.afterStep = { step, id in
            guard step == .serviceUpdated else { return }
            let found = try await plain.resumeInterrupted(metadata: Harness.ana)
            #expect(found.isEmpty, "a running deployment is not taken for an interrupted one")
            do {
                _ = try await plain.resume(id, metadata: Harness.ana)
            } catch {
                refusal.set("\(error)")
            }
        }
        let result = try await engine.deploy(app: "api", environment: "staging", tag: "3f9c2e1", metadata: Harness.cara)
        #expect(result.outcome == .succeeded)
        #expect(refusal.get?.hasPrefix("deployment deployment-api-staging-1 is still running in process") == true)
    }

    @Test func resumingAnUnknownDeploymentIsAnError() async throws {
        let harness = try await Harness()
        let error = await #expect(throws: DeployError.self) { try await harness.engine().resume("api-staging-9", metadata: Harness.ana) }
        #expect(error?.message == "no deployment deployment-api-staging-9 in the ledger")
    }
}
