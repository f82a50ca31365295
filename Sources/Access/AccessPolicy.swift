import Foundation
import Ledger

/// Who may do what, for the API and the CLI alike: the least role each action needs
/// (``Permissions``, with the configuration's `api.roles`), the role each person has (a token's
/// own, or for a CLI actor the configuration's `maintainers:` — a list, or a GitHub team asked
/// through a ``MaintainerDirectory`` — and `deployers:`), and which bots may act for whom — the
/// person a bot acts for being the actor that counts.
///
/// ```swift
/// if let reason = await policy.refusal(.rollback, by: principal, onBehalfOf: person) { ... }
/// ```
public struct AccessPolicy: Sendable {
    public let permissions: Permissions
    /// The configuration's `maintainers:` list; empty when a GitHub team names them.
    public let maintainers: Set<String>
    public let deployers: Set<String>
    /// Bot login → whom it may act for: role names (`maintainers`, `deployers`) or logins.
    public let bots: [String: [String]]
    /// False when no configuration names anyone: then a CLI actor, who holds the ledger file and
    /// could write it with any SQLite client, is taken as a maintainer, and nobody may act for
    /// someone else.
    public let namesPeople: Bool
    /// Asked whether a login the list does not name is a maintainer; nil when the list is all.
    public let directory: (any MaintainerDirectory)?
    /// The directory's answers for the people of the check at hand (see ``resolving(_:onBehalfOf:)``).
    private var answers: [String: MaintainerAnswer] = [:]

    public init(
        permissions: Permissions, maintainers: some Sequence<String>, deployers: some Sequence<String>, bots: [String: [String]],
        directory: (any MaintainerDirectory)? = nil
    ) {
        self.permissions = permissions
        self.maintainers = Set(maintainers)
        self.deployers = Set(deployers)
        self.bots = bots
        self.directory = directory
        namesPeople = true
    }

    private init(unconfigured permissions: Permissions) {
        self.permissions = permissions
        maintainers = []
        deployers = []
        bots = [:]
        directory = nil
        namesPeople = false
    }

    /// The policy without a configuration: default permissions, no people, no bots.
    public static let unconfigured = AccessPolicy(unconfigured: Permissions())

    /// The role the configuration gives `person`. A maintainer by the directory counts only once
    /// the policy was resolved for them (``resolving(_:onBehalfOf:)``); until then they are not one.
    public func role(of person: String) -> Role {
        if maintainers.contains(person) || answers[person] == .maintainer { return .maintainer }
        if deployers.contains(person) { return .deployer }
        return .viewer
    }

    /// Why `principal` may not take `action` (for `person`, when a bot acts for one); nil when it
    /// may. The maintainer directory is asked about the person whose role counts first, so a
    /// GitHub team that cannot be asked refuses, and the reason says so.
    public func refusal(_ action: Permissions.Action, by principal: Principal, onBehalfOf person: String? = nil) async -> String? {
        await resolving(principal, onBehalfOf: person).decide(action, by: principal, onBehalfOf: person)
    }

    /// This policy with the directory's answer for the one login whose configured role a check of
    /// `principal` reads: the person a bot acts for, else a CLI actor (a token's own role is its token's).
    public func resolving(_ principal: Principal, onBehalfOf person: String? = nil) async -> AccessPolicy {
        let person = person == principal.name ? nil : person
        let login: String? = switch principal.credential {
        case .token: person
        case .cli: person ?? principal.name
        }
        guard let directory, let login, !login.isEmpty, !maintainers.contains(login), answers[login] == nil else { return self }
        var resolved = self
        resolved.answers[login] = await directory.lookUp(login)
        return resolved
    }

    private func decide(_ action: Permissions.Action, by principal: Principal, onBehalfOf person: String?) -> String? {
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
            return "token \(principal.name) has role \(tokenRole.rawValue) and \(person) has \(self.role(of: person).rawValue); acting for them, \(needs)\(whyNot(person))"
        case (.cli, _):
            let who = person ?? principal.name
            if role == .viewer { return "\(who) is neither a deployer nor a maintainer\(whyNot(who))" }
            return "\(who) is not a maintainer (only maintainers may \(action.phrase))\(whyNot(who))"
        }
    }

    /// What the directory said about `person`, when it said they are not a maintainer.
    private func whyNot(_ person: String) -> String {
        answers[person]?.reason.map { ": \($0)" } ?? ""
    }

    /// Why `bot` may not act on behalf of `person`; nil when its `acts_for` allows it.
    private func delegationRefusal(bot: String, person: String) -> String? {
        guard namesPeople else { return "no configuration names bots, so no one may act on behalf of others" }
        guard let allowed = bots[bot] else { return "\(bot) is not a bot allowed to act on behalf of others" }
        let allowedForPerson = allowed.contains { entry in
            switch entry {
            case "maintainers": role(of: person) == .maintainer
            case "deployers": deployers.contains(person)
            default: entry == person
            }
        }
        return allowedForPerson ? nil : "bot \(bot) may not act on behalf of \(person)\(allowed.contains("maintainers") ? whyNot(person) : "")"
    }
}
