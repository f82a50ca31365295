import ArgumentParser
import Deploy

/// What a deploy-family command does when another deployment holds the environment.
struct QueueOptions: ParsableArguments {
    @Flag(name: .customLong("no-wait"), help: "Refuse instead of waiting when another deployment holds the environment.")
    var noWait = false

    @Option(name: .customLong("wait-timeout"), help: ArgumentHelp("How long to wait for the deployment holding the environment (default 30m).", valueName: "duration"))
    var waitTimeout: DurationArgument?

    /// These options applied to the engine's defaults.
    func applied(to queueing: EnvironmentClaim.Queueing) -> EnvironmentClaim.Queueing {
        var queueing = queueing
        queueing.wait = !noWait
        if let waitTimeout { queueing.timeout = waitTimeout.duration }
        return queueing
    }
}
