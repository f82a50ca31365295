/// An ECS cluster.
public struct ECSCluster: Sendable, Hashable, Codable {
    public var name: String
    public var arn: String
    public var status: String

    public init(name: String, arn: String, status: String) {
        self.name = name
        self.arn = arn
        self.status = status
    }
}
