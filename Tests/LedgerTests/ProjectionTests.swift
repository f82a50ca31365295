import Foundation
import Ledger
import PropertyBased
import TestSupport
import Testing

struct ProjectionTests {
    let ledger = TestLedger()

    @Test func aSuccessfulDeploymentSetsTheEnvironmentStateAndCompletesItsHistoryRow() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("1", tag: "rel-2026.11.27", trigger: .release, actor: "ana", via: "openverse-bot")])
        var state = try #require(try store.environmentStates().first)
        #expect(state.deploymentInProgress == "deployment-1")
        #expect(state.taskDefinitionArn == nil)

        _ = try await store.append([
            NewEvent(stream: "deployment-1", TaskDefinitionRegistered(taskDefinitionArn: arn("staging-api", 8), family: "staging-api", revision: 8)),
            NewEvent(stream: "deployment-1", DeploymentStable(taskDefinitionArn: arn("staging-api", 8))),
        ])
        state = try #require(try store.environmentStates().first)
        #expect(state.app == "api" && state.environment == "staging")
        #expect(state.tag == "rel-2026.11.27")
        #expect(state.revision == 8)
        #expect(state.lastHealthyRevision == 8)
        #expect(state.deploymentInProgress == nil)
        #expect(state.deployedBy == "ana")

        let record = try #require(try store.deployments().first)
        #expect(record.outcome == .succeeded)
        #expect(record.trigger == "release")
        #expect(record.actor == "ana")
        #expect(record.via == "openverse-bot")
        #expect(record.durationMs == 1000, "the stepping clock moves one second between the two commits")
        #expect(try store.projectionPositions() == ["environment_state": 3, "deployments": 3, "audit": 3])
    }

    @Test func anAutomaticRollbackPointsTheEnvironmentBackAndRecordsWhere() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("1", tag: "good")])
        _ = try await store.append([NewEvent(stream: "deployment-1", DeploymentStable(taskDefinitionArn: arn("staging-api", 7)))])
        _ = try await store.append([requested("2", tag: "bad")])
        _ = try await store.append([
            NewEvent(stream: "deployment-2", RolledBackAutomatically(taskDefinitionArn: arn("staging-api", 7))),
            NewEvent(stream: "deployment-2", DeploymentFailed(stage: "stabilize", reason: "tasks failed to start")),
        ])
        let state = try #require(try store.environmentStates().first)
        #expect(state.tag == "good")
        #expect(state.revision == 7)
        #expect(state.lastOutcome == .rolledBack)
        let record = try #require(try store.deployments(DeploymentFilter(outcome: .rolledBack)).first)
        #expect(record.id == "deployment-2")
        #expect(record.rolledBackTo == arn("staging-api", 7))
        #expect(record.failureStage == "stabilize")
        #expect(record.failureReason == "tasks failed to start")
    }

    @Test func historyFiltersByAppEnvironmentActorOutcomeAndTime() async throws {
        let store = try ledger.open()
        _ = try await store.append([requested("1", app: "api", env: "staging", actor: "ana")])
        _ = try await store.append([requested("2", app: "api", env: "production", actor: "ben")])
        _ = try await store.append([requested("3", app: "frontend", env: "production", actor: "ana")])
        _ = try await store.append([NewEvent(stream: "deployment-3", DeploymentTimedOut(timeoutSeconds: 900))])
        #expect(try store.deployments(DeploymentFilter(app: "api")).map(\.id) == ["deployment-2", "deployment-1"])
        #expect(try store.deployments(DeploymentFilter(environment: "production", actor: "ana")).map(\.id) == ["deployment-3"])
        #expect(try store.deployments(DeploymentFilter(outcome: .timedOut)).map(\.id) == ["deployment-3"])
        let second = try #require(try store.deployments(DeploymentFilter(app: "api", environment: "production")).first)
        #expect(try store.deployments(DeploymentFilter(since: second.startedAt)).map(\.id) == ["deployment-3", "deployment-2"])
        #expect(try store.deployments(DeploymentFilter(until: second.startedAt)).map(\.id) == ["deployment-1"])
        #expect(try store.deployments(DeploymentFilter(limit: 1)).map(\.id) == ["deployment-3"])
    }

    @Test func theAuditTrailRecordsActionsAndRefusals() async throws {
        let store = try ledger.open()
        _ = try await store.append([
            NewEvent(stream: "access", AccessDenied(action: "rollback", app: "api", environment: "production", reason: "cara is not a maintainer"),
                     metadata: EventMetadata(actor: "cara")),
            NewEvent(stream: "tokens", TokenIssued(tokenId: "t1", name: "ci", role: "deployer", hash: "h"), metadata: EventMetadata(actor: "ana")),
        ])
        _ = try await store.append([requested("1", actor: "ben")])
        let entries = try store.audit()
        #expect(entries.map(\.action) == ["deploy", "token.issue", "rollback"])
        #expect(try store.audit(AuditFilter(outcome: .denied)).map(\.actor) == ["cara"])
        #expect(try store.audit(AuditFilter(actor: "ana")).map(\.target) == ["ci (deployer)"])
    }

    @Test func aCompletedWorkflowRunAndAGitHubDeploymentAreAuditedButTheirProgressIsNot() async throws {
        let store = try ledger.open()
        let ana = EventMetadata(actor: "ana", authMethod: "github-webhook")
        let run = "github-run-wordpress.openverse-7", deployment = "github-deployment-wordpress.openverse-9"
        _ = try await store.append([
            NewEvent(stream: run, WorkflowRunReported(repository: "WordPress/openverse", runId: 7, name: "Build", status: "in_progress", event: "push"),
                     metadata: ana),
            NewEvent(stream: run, WorkflowRunReported(repository: "WordPress/openverse", runId: 7, name: "Build", status: "completed",
                                                      conclusion: "timed_out", headBranch: "main", event: "push"), metadata: ana),
            NewEvent(stream: deployment, GitHubDeploymentCreated(repository: "WordPress/openverse", deploymentId: 9, environment: "production",
                                                                 ref: "rel-2026.11.27", sha: "acb5820", task: "deploy"), metadata: ana),
            NewEvent(stream: deployment, GitHubDeploymentStatusReported(repository: "WordPress/openverse", deploymentId: 9, state: "success",
                                                                        environment: "production"), metadata: EventMetadata(actor: "github-actions[bot]")),
        ])
        let entries = try store.audit()
        #expect(entries.map(\.action) == ["github.deployment", "github.run"])
        #expect(entries.map(\.actor) == ["ana", "ana"])
        #expect(entries[0].environment == "production")
        #expect(entries[0].target == "WordPress/openverse@rel-2026.11.27")
        #expect(entries[1].outcome == .failed)
        #expect(entries[1].target == "WordPress/openverse: Build")
        #expect(entries[1].detail == "run 7 timed_out on main (push)")
    }

    @Test func rebuildingFromTheLogGivesWhatIncrementalUpdatesGave() async throws {
        await propertyCheck(count: 60, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            do {
                let ledger = TestLedger()
                let store = try ledger.open()
                var history = ScriptedHistory(seed: UInt64(seed))
                for batch in history.batches() {
                    _ = try await store.append(batch)
                }
                let incremental = try Snapshot(store)
                let report = try await store.rebuild()
                let rebuilt = try Snapshot(store)
                #expect(report.events == Int64(try store.events().count))
                #expect(rebuilt == incremental, "seed \(seed)")
                #expect(!incremental.deployments.isEmpty)
            } catch {
                Issue.record(error, "seed \(seed)")
            }
        }
    }
}

/// Every projection's rows and positions.
struct Snapshot: Equatable {
    var states: [EnvironmentState]
    var deployments: [DeploymentRecord]
    var audit: [AuditEntry]
    var positions: [String: Int64]

    init(_ store: EventStore) throws {
        states = try store.environmentStates()
        deployments = try store.deployments(DeploymentFilter(limit: 10_000))
        audit = try store.audit(AuditFilter(limit: 10_000))
        positions = try store.projectionPositions()
    }
}

/// A random but reproducible history: deployments that succeed, fail, time out
/// or roll back, interleaved across apps and environments, with refusals and what GitHub reports.
struct ScriptedHistory {
    private var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func batches() -> [[NewEvent]] {
        let apps = ["api", "frontend", "ingestion_server"]
        let environments = ["staging", "production"]
        let people = ["ana", "ben", "cara"]
        var events: [NewEvent] = []
        for number in 0..<Int(random.next(below: 12) + 3) {
            let app = apps[Int(random.next(below: 3))], env = environments[Int(random.next(below: 2))]
            let actor = people[Int(random.next(below: 3))]
            let stream = "deployment-\(number)"
            let revision = Int(random.next(below: 50)) + 1
            let trigger = DeploymentTrigger.allCases[Int(random.next(below: UInt64(DeploymentTrigger.allCases.count)))]
            let metadata = EventMetadata(actor: random.next(below: 2) == 0 ? actor : "openverse-bot",
                                         onBehalfOf: random.next(below: 2) == 0 ? nil : actor,
                                         source: random.next(below: 2) == 0 ? nil : "https://github.com/WordPress/openverse/actions/runs/\(number)",
                                         commit: random.next(below: 2) == 0 ? nil : "c0ffee\(number)")
            let images = random.next(below: 2) == 0 ? nil : ["django": "ghcr.io/wordpress/openverse-api:t\(number)", "nginx": "ghcr.io/wordpress/openverse-api_nginx:t\(number)"]
            events.append(NewEvent(stream: stream, DeploymentRequested(app: app, environment: env, tag: "t\(number)", trigger: trigger, images: images), metadata: metadata))
            events.append(NewEvent(stream: stream, TaskDefinitionRegistered(taskDefinitionArn: arn("\(env)-\(app)", revision), family: "\(env)-\(app)", revision: revision)))
            switch random.next(below: 5) {
            case 0:
                events.append(NewEvent(stream: stream, DeploymentFailed(stage: "update", reason: "service not found")))
            case 1:
                events.append(NewEvent(stream: stream, DeploymentTimedOut(timeoutSeconds: 900)))
            case 2:
                events.append(NewEvent(stream: stream, RolledBackAutomatically(taskDefinitionArn: arn("\(env)-\(app)", max(1, revision - 1)))))
                events.append(NewEvent(stream: stream, DeploymentFailed(stage: "stabilize", reason: "circuit breaker")))
            default:
                events.append(NewEvent(stream: stream, DeploymentStable(taskDefinitionArn: arn("\(env)-\(app)", revision),
                                                                        revision: random.next(below: 2) == 0 ? nil : revision, images: images)))
            }
            switch random.next(below: 6) {
            case 0:
                events.append(NewEvent(stream: "drift-\(app)-\(env)", DriftDetected(
                    app: app, environment: env, desired: "\(env)-\(app):\(revision)", actual: "\(env)-\(app):1", differences: ["task definition"])))
            case 1:
                events.append(NewEvent(stream: "drift-\(app)-\(env)", DriftResolved(app: app, environment: env, how: "external")))
            case 2:
                events.append(NewEvent(stream: "drift-\(app)-\(env)", DriftCorrected(app: app, environment: env, by: "shiplog", deploymentId: stream),
                                       metadata: metadata))
            default:
                break
            }
            if random.next(below: 3) == 0 {
                let run = Int64(number) + 1000
                let status = ["requested", "in_progress", "completed"][Int(random.next(below: 3))]
                let conclusion = status == "completed" ? ["success", "failure", "cancelled", "timed_out"][Int(random.next(below: 4))] : nil
                events.append(NewEvent(stream: "github-run-wordpress.openverse-\(run)", WorkflowRunReported(
                    repository: "WordPress/openverse", runId: run, runAttempt: 1, name: random.next(below: 2) == 0 ? nil : "Deploy \(app)",
                    status: status, conclusion: conclusion, headBranch: random.next(below: 2) == 0 ? nil : "main", event: "push"), metadata: metadata))
                let deployment = NewEvent(stream: "github-deployment-wordpress.openverse-\(run)", GitHubDeploymentCreated(
                    repository: "WordPress/openverse", deploymentId: run, environment: env, ref: "main", sha: "c0ffee\(number)", task: "deploy"),
                    metadata: metadata)
                let reported = NewEvent(stream: "github-deployment-wordpress.openverse-\(run)", GitHubDeploymentStatusReported(
                    repository: "WordPress/openverse", deploymentId: run, state: "success", environment: env), metadata: metadata)
                events.append(contentsOf: [deployment, reported])
            }
            if random.next(below: 4) == 0 {
                events.append(NewEvent(stream: "access", AccessDenied(action: "rollback", app: app, environment: env, reason: "not a maintainer"),
                                       metadata: EventMetadata(actor: actor)))
            }
        }
        // Cut the sequence into batches of random size, keeping order.
        var batches: [[NewEvent]] = []
        var index = 0
        while index < events.count {
            let size = Int(random.next(below: 6)) + 1
            batches.append(Array(events[index..<min(index + size, events.count)]))
            index += size
        }
        return batches
    }
}
