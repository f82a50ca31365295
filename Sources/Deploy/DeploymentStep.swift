/// The steps of a deployment, each recorded before the next starts.
///
/// A hook runs after each (``DeploymentEngine/afterStep``): tests throw from it to stop the flow
/// exactly where a killed process would have stopped.
public enum DeploymentStep: String, Sendable, CaseIterable {
    /// `DeploymentRequested` recorded.
    case requested
    /// `ImageVerified` recorded for every image.
    case imagesVerified = "images-verified"
    /// `TaskDefinitionRendered` recorded.
    case rendered
    /// `TaskDefinitionRegistered` recorded.
    case registered
    /// `ServiceUpdated` recorded.
    case serviceUpdated = "service-updated"
    /// ECS reported the service stable; nothing recorded yet.
    case stabilized

    /// The stage name a failure at the step after this one is recorded under.
    var nextStage: String {
        switch self {
        case .requested: "verify"
        case .imagesVerified: "render"
        case .rendered: "register"
        case .registered: "update"
        case .serviceUpdated: "stabilize"
        case .stabilized: "version"
        }
    }
}
