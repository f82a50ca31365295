import AWS

/// One container of a task definition: name, image and environment typed, the rest raw.
public struct ContainerDefinition: Sendable, Equatable, Codable {
    public var name: String
    public var image: String
    public var environment: [EnvironmentVariable]
    public var raw: JSONValue

    public init(name: String, image: String, environment: [EnvironmentVariable] = [], raw: JSONValue = [:]) {
        self.name = name
        self.image = image
        self.environment = environment
        self.raw = raw
    }

    init(json: JSONValue, operation: String) throws {
        let environment = (json["environment"]?.arrayValue ?? []).compactMap { entry -> EnvironmentVariable? in
            guard let name = entry["name"]?.stringValue else { return nil }
            return EnvironmentVariable(name: name, value: entry["value"]?.stringValue ?? "")
        }
        self.init(
            name: try json.requiredString("name", in: operation),
            image: try json.requiredString("image", in: operation),
            environment: environment,
            raw: json
        )
    }

    /// The container as ECS expects it, typed fields written over the raw ones.
    public var json: JSONValue {
        var members = raw.objectValue ?? [:]
        members["name"] = .string(name)
        members["image"] = .string(image)
        members["environment"] = .array(environment.map { ["name": .string($0.name), "value": .string($0.value)] })
        return .object(members)
    }
}

/// A `name`/`value` pair of a container's environment.
public struct EnvironmentVariable: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
