import ArgumentParser
import Deploy
import Foundation
import Ledger
import Simulation

/// What a deploy-family command works with: the configuration, the ledger, the drivers and the
/// workflow engine wired to print progress.
struct Workflow {
    let configuration: ShiplogConfiguration
    let store: EventStore
    let drivers: ConfiguredDrivers
    let engine: DeploymentEngine
    let metadata: EventMetadata

    /// Loads the configuration and checks `app`/`environment` before opening anything, so bad
    /// input writes nothing; then opens the ledger and the drivers.
    static func open(
        _ global: GlobalOptions, acting: ActingOptions, app: String? = nil, environment: String? = nil,
        timeout: DurationArgument? = nil, queue: QueueOptions? = nil
    ) async throws -> Workflow {
        let processEnvironment = ProcessInfo.processInfo.environment
        var configuration = try ShiplogConfiguration.load(path: global.configPath, environment: processEnvironment)
        if let timeout { configuration.stableTimeout = timeout.duration }
        if let app { _ = try configuration.target(app: app, environment: environment ?? ShiplogConfiguration.promotionSource) }
        let databasePath = global.databasePath(for: configuration)
        let drivers = try await ConfiguredDrivers.make(configuration, databasePath: databasePath)
        let store = try EventStore(path: databasePath, access: .readWrite(create: false))
        var engine = drivers.engine(configuration, store: store)
        if let queue { engine.queueing = queue.applied(to: engine.queueing) }
        let printer = ProgressPrinter()
        engine.progress = { printer.show($0) }
        #if SHIPLOG_TEST_HOOKS
        // Only in a debug build: `SHIPLOG_CRASH_AFTER=<step>` kills the process after that step
        // (once it is recorded and the simulation saved), for tests of what the next start does
        // with a deployment whose process died.
        if let crashAfter = processEnvironment["SHIPLOG_CRASH_AFTER"].flatMap(DeploymentStep.init(rawValue:)) {
            let afterStep = engine.afterStep
            engine.afterStep = { step, id in
                try await afterStep(step, id)
                if step == crashAfter { kill(getpid(), SIGKILL) }
            }
        }
        #endif
        var metadata = EventMetadata.fromContext(actor: global.actor, onBehalfOf: acting.onBehalfOf, environment: processEnvironment)
        metadata.onBehalfOf = acting.onBehalfOf
        return Workflow(configuration: configuration, store: store, drivers: drivers, engine: engine, metadata: metadata)
    }

    /// The reconciler over this workflow's engine and ECS.
    var reconciler: Reconciler {
        drivers.reconciler(engine)
    }

    /// Closes deployments whose process died, as every deploy-family command does first.
    func resumeInterrupted() async throws {
        for result in try await engine.resumeInterrupted(metadata: metadata) {
            complain("closed interrupted deployment: \(result.summary)")
        }
    }

    /// Runs a deploy-family command and concludes it; a waiting request that a newer one
    /// superseded exits 4, one that gave up waiting exits 5, each with one line.
    func run(_ command: (DeploymentEngine) async throws -> DeploymentResult) async throws {
        let result: DeploymentResult
        do {
            result = try await command(engine)
        } catch let error as DeployError where [.superseded, .waitTimedOut].contains(error.code) {
            try finish()
            try Self.reportNotRun(error)
        }
        try conclude(result)
    }

    /// A waiting request that a newer one superseded exits 4, one that gave up waiting 5, each
    /// with one line; any other error is thrown on.
    static func reportNotRun(_ error: DeployError) throws -> Never {
        guard [.superseded, .waitTimedOut].contains(error.code) else { throw error }
        complain(error.message)
        throw ExitCode(error.code == .superseded ? 4 : 5)
    }

    /// Saves the simulation and turns a result into output and an exit code:
    /// 0 succeeded (or queued), 1 failed, 2 timed out, 3 rolled back by ECS, 75 left open
    /// (EX_TEMPFAIL: ECS was told and could not be followed; resume later).
    func conclude(_ result: DeploymentResult) throws {
        try drivers.world?.save()
        store.close()
        try Self.report(result)
    }

    /// Prints how a deployment ended and exits with its code, for the local engine's result and
    /// for one the service ran (``DeploymentFollower``) alike.
    static func report(_ result: DeploymentResult) throws {
        if result.isQueued { return emit(result.summary) }
        switch result.outcome {
        case .succeeded:
            emit(result.summary)
        case .failed:
            complain(result.summary)
            throw ExitCode(1)
        case .timedOut:
            complain(result.summary)
            throw ExitCode(2)
        case .rolledBack:
            complain(result.summary)
            throw ExitCode(3)
        case .inProgress:
            complain(result.summary)
            throw ExitCode(75)
        }
    }

    func finish() throws {
        try drivers.world?.save()
        store.close()
    }
}
