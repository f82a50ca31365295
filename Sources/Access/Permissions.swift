/// The least role each action needs. Reading needs a viewer, recording events and deploying a
/// deployer; rolling back, promoting, reconciling and deploying to production a maintainer. The
/// configuration's `api.roles` changes any of these, for the API and the CLI alike.
public struct Permissions: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case read, record, deploy, rollback, promote, reconcile
        case productionDeploy = "production_deploy"
        case templateChange = "template_change"
        /// Issuing and revoking API tokens (`shiplog token`): who holds one acts with its role.
        case tokenAdmin = "token_admin"
        /// Deploying, promoting or correcting drift inside an environment's freeze window.
        case overrideFreeze = "override_freeze"

        /// Deploying to `environment`: production needs more than the others.
        public static func deploy(to environment: String) -> Action {
            environment == Permissions.productionEnvironment ? .productionDeploy : .deploy
        }

        /// How a refusal names the action.
        var phrase: String {
            switch self {
            case .productionDeploy: "deploy to production"
            case .templateChange: "change templates"
            case .tokenAdmin: "issue or revoke tokens"
            case .overrideFreeze: "override a freeze"
            default: rawValue
            }
        }
    }

    /// The environment whose deploys need ``Action/productionDeploy``.
    public static let productionEnvironment = "production"

    private var roles: [Action: Role]

    public static let defaults: [Action: Role] = [
        .read: .viewer, .record: .deployer, .deploy: .deployer, .productionDeploy: .maintainer,
        .rollback: .maintainer, .promote: .maintainer, .reconcile: .maintainer, .templateChange: .deployer, .tokenAdmin: .maintainer,
        .overrideFreeze: .maintainer,
    ]

    /// - Parameter overrides: action name → role name, as `api.roles` writes them; the
    ///   configuration parser has refused unknown names already.
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
}
