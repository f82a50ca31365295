/// Why the workflow engine refused or could not finish a command, on one line.
///
/// A deployment that ran and failed is not an error: it is a ``DeploymentResult`` with an
/// outcome. These are refusals before anything ran, and problems that stop the engine itself.
public struct DeployError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, to switch on.
    public enum Code: String, Sendable, Hashable {
        case unknownApp, unknownEnvironment, tagNotFound, accessDenied, busy, missingVariable
        case badRequest, notFound, stillRunning, crashed, superseded, waitTimedOut, frozen, gatesNotPassed
    }

    public let code: Code
    public let message: String
    /// For ``tagNotFound(_:image:nearest:)``: the tags that exist, closest first; empty otherwise.
    public let nearest: [String]

    private init(_ code: Code, _ message: String, nearest: [String] = []) {
        self.code = code
        self.message = message
        self.nearest = nearest
    }

    public var description: String { message }

    public static func unknownApp(_ app: String, known: [String]) -> DeployError {
        DeployError(.unknownApp, "unknown app '\(app)' (known: \(known.joined(separator: ", ")))")
    }

    public static func unknownEnvironment(_ environment: String, app: String, known: [String]) -> DeployError {
        DeployError(.unknownEnvironment, "app \(app) has no environment '\(environment)' (known: \(known.joined(separator: ", ")))")
    }

    /// The tag is missing for one of the app's images; `nearest` are the closest tags that exist.
    public static func tagNotFound(_ tag: String, image: String, nearest: [String]) -> DeployError {
        let hint = nearest.isEmpty ? "the repository has no tags" : "nearest existing tags: \(nearest.joined(separator: ", "))"
        return DeployError(.tagNotFound, "tag \(tag) not found for \(image); \(hint)", nearest: nearest)
    }

    /// The actor may not do this; the refusal was recorded as an `AccessDenied` event.
    public static func accessDenied(_ reason: String) -> DeployError {
        DeployError(.accessDenied, "access denied: \(reason)")
    }

    /// The environment is inside a freeze window; the refusal was recorded as an `AccessDenied` event.
    public static func frozen(_ freeze: ActiveFreeze) -> DeployError {
        DeployError(.frozen, "\(freeze.summary); nothing was deployed (a maintainer may override: --override-freeze \"reason\", or override_freeze in the API)")
    }

    /// The verifications production's gates name have not all passed for the tag staging runs; the
    /// refusal was recorded as an `AccessDenied` event.
    public static func gatesNotPassed(_ gates: PromotionGates) -> DeployError {
        DeployError(.gatesNotPassed, "promotion of \(gates.app) refused: \(gates.summary); nothing was deployed (record a result with `shiplog verification record` or POST /api/v1/verifications)")
    }

    /// Another deployment holds the app's environment.
    public static func busy(app: String, environment: String, inFlight: String, detail: String) -> DeployError {
        DeployError(.busy, "\(app) \(environment) is busy: deployment \(inFlight) is in flight\(detail); try again when it has finished")
    }

    /// A newer request for the same app and environment took this waiting request's place.
    public static func superseded(app: String, environment: String, tag: String, by newer: String, tag newerTag: String, actor: String?) -> DeployError {
        DeployError(.superseded, "\(app) \(environment) \(tag) was superseded while waiting: \(actor ?? "someone") asked for \(newerTag) (request \(newer)); nothing was deployed")
    }

    /// The environment was not released within the wait timeout.
    public static func waitTimedOut(app: String, environment: String, tag: String, waited: Duration, behind: String) -> DeployError {
        DeployError(.waitTimedOut, "\(app) \(environment) \(tag) gave up after waiting \(waited.components.seconds) s for deployment \(behind) to finish; nothing was deployed")
    }

    /// The code needs environment variables the template does not set.
    public static func missingVariables(_ names: [String], family: String) -> DeployError {
        DeployError(.missingVariable, "template \(family) lacks \(names.joined(separator: ", ")), which the code requires; add with `shiplog template set-env`")
    }

    public static func badRequest(_ message: String) -> DeployError {
        DeployError(.badRequest, message)
    }

    public static func notFound(_ message: String) -> DeployError {
        DeployError(.notFound, message)
    }

    /// `--resume` of a deployment whose process is alive.
    public static func stillRunning(_ deployment: String, owner: String) -> DeployError {
        DeployError(.stillRunning, "deployment \(deployment) is still running in process \(owner); it closes itself")
    }

    /// Thrown by a crash hook: the flow stops where it is, recording nothing more, as a killed process would.
    public static func crashed(after step: DeploymentStep) -> DeployError {
        DeployError(.crashed, "simulated crash after \(step.rawValue)")
    }
}
