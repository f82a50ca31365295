import Access
import Ledger

extension ShiplogConfiguration {
    /// Who may do what under this configuration: its `api.roles` over the default permissions,
    /// its maintainers (listed, or its GitHub team's, which every policy of the process asks
    /// through one cache), deployers and bots.
    public var accessPolicy: AccessPolicy {
        AccessPolicy(
            permissions: Permissions(overrides: apiRoles), maintainers: maintainers, deployers: deployers, bots: bots,
            directory: maintainersTeam.map(GitHubTeamDirectory.shared))
    }
}

extension ShiplogConfiguration {
    /// Checks a CLI actor (`metadata.actor`, and the person a bot acts for) against the policy;
    /// a refusal is recorded as `AccessDenied` and thrown as ``DeployError/accessDenied(_:)``.
    func authorize(_ action: Permissions.Action, app: String, environment: String, metadata: EventMetadata, store: EventStore) async throws {
        let principal = Principal(name: metadata.actor ?? "", credential: .cli)
        guard let reason = await accessPolicy.refusal(action, by: principal, onBehalfOf: metadata.onBehalfOf) else { return }
        try await AccessRefusal(action, app: app, environment: environment, reason: reason).record(in: store, metadata: metadata)
        throw DeployError.accessDenied(reason)
    }
}
