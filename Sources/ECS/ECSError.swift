/// An ECS resource that is not there, or a request ECS refuses; names the resource.
///
/// Throttling, 5xx, timeouts and unreadable responses are ``AWS/AWSError``s, from both the real
/// client and the simulator, so a caller handles them the same way for either.
public struct ECSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to switch on.
    public enum Code: String, Sendable, Hashable {
        case clusterNotFound, serviceNotFound, taskDefinitionNotFound, containerNotFound, invalidParameter, unsupported
    }

    public let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func clusterNotFound(_ cluster: String) -> ECSError {
        ECSError(.clusterNotFound, "cluster \(cluster) not found")
    }

    public static func serviceNotFound(_ service: String, cluster: String) -> ECSError {
        ECSError(.serviceNotFound, "service \(service) not found in cluster \(cluster)")
    }

    public static func taskDefinitionNotFound(_ reference: String) -> ECSError {
        ECSError(.taskDefinitionNotFound, "task definition \(reference) not found")
    }

    public static func containerNotFound(container: String, family: String) -> ECSError {
        ECSError(.containerNotFound, "container \(container) not found in task definition family \(family)")
    }

    public static func invalidParameter(_ message: String) -> ECSError {
        ECSError(.invalidParameter, message)
    }

    /// The driver does not implement `operation`.
    public static func unsupported(_ operation: String) -> ECSError {
        ECSError(.unsupported, "this ECS driver does not implement \(operation)")
    }

    public var description: String { message }
}
