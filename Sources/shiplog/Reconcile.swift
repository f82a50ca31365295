import AWS
import ArgumentParser
import Clocks
import Deploy
import Dispatch
import Foundation
import Ledger
import Simulation

struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy back what should run where ECS drifted.",
        discussion: """
            Each correction goes through the deploy flow (trigger reconcile), so it is in the history with \
            its outcome. --dry-run prints the plan and records nothing but an audit entry. --watch runs a \
            pass every interval, correcting the environments under reconcile.correct in the config and only \
            reporting the others; of several processes on one ledger only one reconciles at a time (a lease \
            in the database). Exit 0 when nothing drifts afterwards, 2 when something still does, 1 on error.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var acting: ActingOptions
    @OptionGroup var freeze: FreezeOptions

    @Option(help: "Only this app.")
    var app: String?

    @Option(name: [.customLong("environment"), .customLong("env")], help: "Only this environment.")
    var environment: String?

    @Flag(help: "Print what would be deployed back; change nothing.")
    var dryRun = false

    @Flag(help: "Keep reconciling on an interval until stopped (SIGTERM or Ctrl-C).")
    var watch = false

    @Option(help: ArgumentHelp("With --watch: the interval (else reconcile.interval in the config, else 60s).", valueName: "duration"))
    var interval: DurationArgument?

    @Option(help: .hidden)
    var passes: Int?

    func validate() throws {
        if watch && freeze.overrideFreeze != nil { throw ValidationError("--override-freeze corrects once; --watch keeps to the freeze windows") }
        if watch && dryRun { throw ValidationError("--watch and --dry-run do not go together") }
        if watch && (app != nil || environment != nil) { throw ValidationError("--watch reconciles every configured service; it takes no --app or --env") }
    }

    func run() async throws {
        let workflow = try await Workflow.open(global, acting: acting)
        if watch { return try await runWatch(workflow) }
        let store = workflow.store, holder = "reconcile-\(ProcessInfo.processInfo.processIdentifier)"
        guard try await store.acquireLease(ReconcileLoop.leaseName, holder: holder, now: Date(), duration: 15 * 60) else {
            let current = try store.leaseHolder(ReconcileLoop.leaseName, now: Date())
            throw ValidationError("another reconciler (\(current?.holder ?? "unknown")) holds the lease until \(current?.expiresAt ?? "soon"); try again then")
        }
        let pass: Reconciler.Pass
        do {
            pass = try await workflow.reconciler.pass(app: app, environment: environment, mode: dryRun ? .dryRun : .correct(nil),
                                                 overrideFreeze: freeze.overrideFreeze, metadata: workflow.metadata)
        } catch {
            try? await store.releaseLease(ReconcileLoop.leaseName, holder: holder)
            throw error
        }
        try await store.releaseLease(ReconcileLoop.leaseName, holder: holder)
        try workflow.finish()
        if dryRun {
            emit(pass.plan.isEmpty ? "nothing drifts: nothing to do" : pass.plan.joined(separator: "\n"))
        } else {
            for correction in pass.corrections {
                emit("\(correction.app) \(correction.environment): \(correction.deploymentId) \(correction.outcome.rawValue)")
            }
            for held in pass.plan { emit(held) }
            let remaining = pass.stillDrifting
            emit(remaining.isEmpty ? "nothing drifts now" : "still drifting:\n" + (try DriftListing.render(remaining, .table)))
        }
        if !pass.stillDrifting.isEmpty, !dryRun { throw ExitCode(2) }
        if dryRun, !pass.plan.isEmpty { throw ExitCode(2) }
    }

    private func runWatch(_ workflow: Workflow) async throws {
        let every = interval?.duration ?? workflow.configuration.reconcileInterval
        var loop = ReconcileLoop(reconciler: workflow.reconciler, interval: every)
        let clock = workflow.engine.clock, world = workflow.drivers.world
        // On the simulated drivers the engine's clock is virtual: wait in real time, and move the
        // simulation on by as much, so rollouts progress between passes as they would on ECS.
        loop.sleep = { duration in
            try await Task.sleep(for: duration)
            try await clock.sleep(for: duration)
            try world?.save()
        }
        loop.report = { event in
            switch event {
            case .passed(let pass):
                emit(LastPass(pass).summary)
                for service in pass.drift.drifted { emit("  drift: \(service.app) \(service.environment): \(service.differences.joined(separator: "; "))") }
                try? world?.save()
            case .waitingForLease(let holder, let until):
                emit("waiting: \(holder) reconciles (lease until \(until))")
            case .throttled(let backoff, let message):
                complain("throttled by ECS (\(message)); next pass in \(backoff)")
            case .fenced(let reason):
                complain("waiting: \(reason)")
            }
        }
        let metadata = workflow.metadata, configured = loop
        if try await untilSignalled({ try await configured.run(passes: passes, metadata: metadata) }) { emit("stopped: the lease is released") }
        try workflow.finish()
    }
}
