import Foundation
import Ledger

/// Who may do what, for the API and the CLI alike: the least role each action needs
/// (``Permissions``, with the configuration's `api.roles`), the role each person has (a token's
/// own, or the configuration's `maintainers:`/`deployers:` lists for a CLI actor), and which bots
/// may act for whom — the person a bot acts for being the actor that counts.
public struct AccessPolicy: Sendable {
    public let permissions: Permissions
    public let maintainers: Set<String>
    public let deployers: Set<String>
    /// Bot login → whom it may act for: role names (`maintainers`, `deployers`) or logins.
    public let bots: [String: [String]]
    /// False when no configuration names anyone: then a CLI actor, who holds the ledger file and
    /// could write it with any SQLite client, is taken as a maintainer, and nobody may act for
    /// someone else.
    public let namesPeople: Bool

    public init(permissions: Permissions, maintainers: some Sequence<String>, deployers: some Sequence<String>, bots: [String: [String]]) {
        self.permissions = permissions
        self.maintainers = Set(maintainers)
        self.deployers = Set(deployers)
        self.bots = bots
        namesPeople = true
    }

    private init(unconfigured permissions: Permissions) {
        self.permissions = permissions
        maintainers = []
        deployers = []
        bots = [:]
        namesPeople = false
    }

    /// The policy without a configuration: default permissions, no people, no bots.
    public static let unconfigured = AccessPolicy(unconfigured: Permissions())

    /// The role the configuration gives `person`.
    public func role(of person: String) -> Role {
        if maintainers.contains(person) { return .maintainer }
        if deployers.contains(person) { return .deployer }
        return .viewer
    }

    /// Why `principal` may not take `action` (for `person`, when a bot acts for one); nil when it may.
    public func refusal(_ action: Permissions.Action, by principal: Principal, onBehalfOf person: String? = nil) -> String? {
        let person = person == principal.name ? nil : person
        var role: Role
        switch principal.credential {
        case .token(_, let tokenRole):
            role = tokenRole
        case .cli:
            guard !principal.name.isEmpty else { return "no actor: pass --actor or set SHIPLOG_ACTOR or GITHUB_ACTOR" }
            role = namesPeople ? self.role(of: principal.name) : .maintainer
            if person == nil, bots[principal.name] != nil {
                return "bot \(principal.name) must act on behalf of a person (--on-behalf-of)"
            }
        }
        if let person {
            if let reason = delegationRefusal(bot: principal.name, person: person) { return reason }
            // A bot acts with the person's role, never more than its own token's.
            switch principal.credential {
            case .token: role = min(role, self.role(of: person))
            case .cli: role = self.role(of: person)
            }
        }
        let needed = permissions.role(for: action)
        guard role < needed else { return nil }
        let needs = "\(action.rawValue.replacingOccurrences(of: "_", with: " ")) needs \(needed.rawValue)"
        switch (principal.credential, person) {
        case (.token(_, let tokenRole), nil):
            return "token \(principal.name) has role \(tokenRole.rawValue); \(needs)"
        case (.token(_, let tokenRole), let person?):
            return "token \(principal.name) has role \(tokenRole.rawValue) and \(person) has \(self.role(of: person).rawValue); acting for them, \(needs)"
        case (.cli, _):
            let who = person ?? principal.name
            if role == .viewer { return "\(who) is neither a deployer nor a maintainer" }
            return "\(who) is not a maintainer (only maintainers may \(action.phrase))"
        }
    }

    /// Why `bot` may not act on behalf of `person`; nil when its `acts_for` allows it.
    public func delegationRefusal(bot: String, person: String) -> String? {
        guard namesPeople else { return "no configuration names bots, so no one may act on behalf of others" }
        guard let allowed = bots[bot] else { return "\(bot) is not a bot allowed to act on behalf of others" }
        let allowedForPerson = allowed.contains { entry in
            switch entry {
            case "maintainers": maintainers.contains(person)
            case "deployers": deployers.contains(person)
            default: entry == person
            }
        }
        return allowedForPerson ? nil : "bot \(bot) may not act on behalf of \(person)"
    }
}
