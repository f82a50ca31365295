/// A step of a running deployment, for the person watching: what happened, and when.
public struct DeploymentProgress: Sendable, Equatable {
    public var deploymentId: String
    /// Time since the command started, on the engine's clock.
    public var elapsed: Duration
    /// The event just recorded (`ImageVerified`), or `waiting` while polling ECS.
    public var step: String
    public var detail: String
    /// A poll of ECS rather than a recorded step: a terminal may overwrite it with the next.
    public var isPoll: Bool

    public init(deploymentId: String, elapsed: Duration, step: String, detail: String, isPoll: Bool = false) {
        self.deploymentId = deploymentId
        self.elapsed = elapsed
        self.step = step
        self.detail = detail
        self.isPoll = isPoll
    }

    /// `[03:05] ServiceUpdated staging-default/staging-api -> staging-api:42`.
    public var line: String {
        let seconds = Int(elapsed.components.seconds)
        let minutes = String(seconds / 60), rest = String(seconds % 60)
        let stamp = (minutes.count < 2 ? "0" + minutes : minutes) + ":" + (rest.count < 2 ? "0" + rest : rest)
        return "[\(stamp)] \(step) \(detail)"
    }
}
