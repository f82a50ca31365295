import Access
import ECS
import Foundation
import Ledger

/// Changes the environment variables of an app's template family: registers a new template
/// revision and records `TemplateChanged` with who changed what, secret values redacted.
public struct TemplateEditor: Sendable {
    public let configuration: ShiplogConfiguration
    public let store: EventStore
    public let ecs: any ECSClient

    public init(configuration: ShiplogConfiguration, store: EventStore, ecs: any ECSClient) {
        self.configuration = configuration
        self.store = store
        self.ecs = ecs
    }

    /// Names whose values the ledger never stores in clear.
    public static func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["SECRET", "PASSWORD", "TOKEN", "KEY"].contains { upper.contains($0) }
    }

    /// Parses `NAME=VALUE` arguments; the value may be empty and may contain `=`.
    /// - Throws: ``DeployError`` naming the first argument that is not an assignment of a valid name.
    public static func assignments(_ arguments: [String]) throws -> [EnvironmentVariable] {
        try arguments.map { argument in
            guard let equals = argument.firstIndex(of: "=") else {
                throw DeployError.badRequest("'\(argument)' is not NAME=VALUE")
            }
            let name = String(argument[..<equals])
            try validate(name)
            return EnvironmentVariable(name: name, value: String(argument[argument.index(after: equals)...]))
        }
    }

    /// - Throws: ``DeployError`` when `name` is not a valid variable name.
    public static func validate(_ name: String) throws {
        let valid = !name.isEmpty && !(name.first?.isNumber ?? true)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        if !valid { throw DeployError.badRequest("'\(name)' is not a valid environment variable name (letters, digits, _; not starting with a digit)") }
    }

    /// Sets and removes variables in every configured container of the template (or only `container`).
    ///
    /// - Returns: the recorded change.
    /// - Throws: ``DeployError`` for an unknown app, environment or container, a variable to unset
    ///   that is not set, or an actor who may not change templates (recorded as `AccessDenied`).
    public func change(
        app: String, environment: String, set: [EnvironmentVariable], unset: [String], container: String? = nil, metadata: EventMetadata
    ) async throws -> TemplateChanged {
        let (appConfiguration, place) = try configuration.target(app: app, environment: environment)
        guard !set.isEmpty || !unset.isEmpty else { throw DeployError.badRequest("nothing to change: name NAME=VALUE pairs to set or NAMEs to unset") }
        for name in unset { try Self.validate(name) }
        let targets = Set(container.map { [$0] } ?? appConfiguration.containers.map(\.name))
        if let container, !appConfiguration.containers.contains(where: { $0.name == container }) {
            throw DeployError.badRequest("app \(app) has no container '\(container)' (known: \(appConfiguration.containers.map(\.name).joined(separator: ", ")))")
        }
        try await configuration.authorize(.templateChange, app: app, environment: environment, metadata: metadata, store: store)
        var template = try await ecs.describeTaskDefinition(place.templateFamily)
        for name in unset where !template.containerDefinitions.contains(where: { targets.contains($0.name) && $0.environment.contains { $0.name == name } }) {
            throw DeployError.badRequest("\(name) is not set in \(place.templateFamily)")
        }
        for index in template.containerDefinitions.indices where targets.contains(template.containerDefinitions[index].name) {
            var variables = template.containerDefinitions[index].environment.filter { !unset.contains($0.name) }
            for variable in set {
                if let existing = variables.firstIndex(where: { $0.name == variable.name }) {
                    variables[existing] = variable
                } else {
                    variables.append(variable)
                }
            }
            template.containerDefinitions[index].environment = variables
        }
        let registered = try await ecs.registerTaskDefinition(template)
        let changes = set.map { "set \($0.name)=\(Self.isSecret($0.name) ? "<redacted>" : $0.value)" } + unset.map { "unset \($0)" }
        let changed = TemplateChanged(app: app, environment: environment, family: place.templateFamily, revision: registered.revision, changes: changes)
        _ = try await store.append([NewEvent(stream: "template-\(app)-\(environment)", changed, metadata: metadata)])
        return changed
    }
}
