import AWS
import Foundation

/// An ECS task definition: the fields a deploy reads and changes, and the rest kept as raw JSON.
///
/// `raw` is the whole object as ECS returned it, so re-registering a rendered definition keeps
/// every field shiplog does not model (CPU, memory, roles, log configuration, ...).
public struct TaskDefinition: Sendable, Equatable, Codable {
    /// Fields ECS sets itself; RegisterTaskDefinition refuses them, so a render strips them.
    /// The members of ECS's `TaskDefinition` shape that `RegisterTaskDefinitionRequest` lacks
    /// (botocore's `ecs/2014-11-13/service-2.json`).
    public static let readOnlyFields: [String] = [
        "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
        "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt",
    ]

    public var family: String
    public var containerDefinitions: [ContainerDefinition]
    /// The full object; the typed fields above take precedence over it when encoding.
    public var raw: JSONValue

    /// `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`; nil until registered.
    public var arn: String? { raw["taskDefinitionArn"]?.stringValue }
    public var revision: Int? { raw["revision"]?.intValue }
    /// `ACTIVE`, `INACTIVE` or `DELETE_IN_PROGRESS`.
    public var status: String? { raw["status"]?.stringValue }

    public init(family: String, containerDefinitions: [ContainerDefinition], raw: JSONValue = [:]) {
        self.family = family
        self.containerDefinitions = containerDefinitions
        self.raw = raw
    }

    /// Reads a task definition from ECS's JSON (the `taskDefinition` member of a response).
    public init(json: JSONValue, operation: String = "ecs:DescribeTaskDefinition") throws {
        let family = try json.requiredString("family", in: operation)
        let containers = try json.requiredArray("containerDefinitions", in: operation).map {
            try ContainerDefinition(json: $0, operation: operation)
        }
        self.init(family: family, containerDefinitions: containers, raw: json)
    }

    /// The body of RegisterTaskDefinition: everything but the read-only fields, with the
    /// definition's `tags` (which DescribeTaskDefinition answers beside it, asked with `include: ["TAGS"]`).
    public var registrationInput: JSONValue {
        var members = raw.objectValue ?? [:]
        for field in Self.readOnlyFields {
            members[field] = nil
        }
        members["family"] = .string(family)
        members["containerDefinitions"] = .array(containerDefinitions.map(\.json))
        return .object(members)
    }

    /// Whether registering `other` would make the same task definition as this one: their
    /// registration inputs agree, members ECS fills with an empty list or object aside (a
    /// described revision carries `volumes: []`, `mountPoints: []`, ... that a render may lack).
    public func registers(as other: TaskDefinition) -> Bool {
        Self.significant(registrationInput) == Self.significant(other.registrationInput)
    }

    private static func significant(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .null:
            return nil
        case .array(let items):
            let kept = items.compactMap(significant)
            return kept.isEmpty ? nil : .array(kept)
        case .object(let members):
            let kept = members.compactMapValues(significant)
            return kept.isEmpty ? nil : .object(kept)
        default:
            return value
        }
    }

    /// The container named `name`, if any.
    public func container(named name: String) -> ContainerDefinition? {
        containerDefinitions.first { $0.name == name }
    }

    /// Renders a template for deployment, as the deploy workflows do.
    ///
    /// Drops the `-template` suffix from the family, sets the image of each named container,
    /// and strips the read-only fields.
    /// - Parameter images: image by container name, e.g. `["django": "ghcr.io/wordpress/openverse-api:abc123"]`.
    /// - Throws: ``ECSError/containerNotFound`` when a named container is not in the template.
    public func rendered(images: [String: String]) throws -> TaskDefinition {
        var result = self
        if result.family.hasSuffix("-template") {
            result.family.removeLast("-template".count)
        }
        for (name, image) in images.sorted(by: { $0.key < $1.key }) {
            guard let index = result.containerDefinitions.firstIndex(where: { $0.name == name }) else {
                throw ECSError.containerNotFound(container: name, family: family)
            }
            result.containerDefinitions[index].image = image
        }
        result.raw = result.registrationInput
        return result
    }
}
