import Deploy
import Foundation

/// The least role each API action needs. Reading needs a viewer, recording events and deploying
/// a deployer; rolling back, promoting and deploying to production a maintainer. The
/// configuration's `api.roles` changes any of these.
public struct Permissions: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case read, record, deploy, rollback, promote, reconcile
        case productionDeploy = "production_deploy"
    }

    private var roles: [Action: Role]

    public static let defaults: [Action: Role] = [
        .read: .viewer, .record: .deployer, .deploy: .deployer, .productionDeploy: .maintainer,
        .rollback: .maintainer, .promote: .maintainer, .reconcile: .maintainer,
    ]

    public init(overrides: [String: String] = [:]) {
        var roles = Self.defaults
        for (name, role) in overrides {
            if let action = Action(rawValue: name), let role = Role(rawValue: role) { roles[action] = role }
        }
        self.roles = roles
    }

    public func role(for action: Action) -> Role {
        roles[action] ?? .maintainer
    }

    /// Why `identity` may not do `action`; nil when it may.
    public func refusal(_ action: Action, by identity: APIIdentity) -> String? {
        let needed = role(for: action)
        guard identity.role < needed else { return nil }
        return "token \(identity.name) has role \(identity.role.rawValue); \(action.rawValue.replacingOccurrences(of: "_", with: " ")) needs \(needed.rawValue)"
    }
}
