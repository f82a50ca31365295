import Ledger

/// Who may do what: maintainers roll back, deployers and maintainers deploy, and a bot acts
/// only for the people its `acts_for` names, the person being the actor that counts.
public struct AccessPolicy: Sendable {
    public enum Action: String, Sendable {
        case deploy, rollback, promote, templateChange = "template.change"

        /// Rolling back (and promoting to production) is for maintainers, as the seed's rollback workflow has it.
        var needsMaintainer: Bool { self == .rollback || self == .promote }
    }

    public let maintainers: Set<String>
    public let deployers: Set<String>
    public let bots: [String: [String]]

    public init(_ configuration: ShiplogConfiguration) {
        maintainers = Set(configuration.maintainers)
        deployers = Set(configuration.deployers)
        bots = configuration.bots
    }

    /// Why `metadata`'s actor may not do `action`; nil when allowed.
    public func refusal(_ action: Action, by metadata: EventMetadata) -> String? {
        guard let actor = metadata.actor, !actor.isEmpty else {
            return "no actor: pass --actor or set SHIPLOG_ACTOR or GITHUB_ACTOR"
        }
        var person = actor
        if let principal = metadata.onBehalfOf {
            guard let allowed = bots[actor] else { return "\(actor) is not a bot allowed to act on behalf of others" }
            guard mayActFor(principal, allowed) else { return "bot \(actor) may not act on behalf of \(principal)" }
            person = principal
        } else if bots[actor] != nil {
            return "bot \(actor) must act on behalf of a person (--on-behalf-of)"
        }
        if action.needsMaintainer {
            return maintainers.contains(person) ? nil : "\(person) is not a maintainer (only maintainers may \(action.rawValue))"
        }
        return maintainers.contains(person) || deployers.contains(person) ? nil : "\(person) is neither a deployer nor a maintainer"
    }

    /// Why `bot` may not act on behalf of `person`; nil when its `acts_for` allows it.
    public func delegationRefusal(bot: String, person: String) -> String? {
        guard let allowed = bots[bot] else { return "\(bot) is not a bot allowed to act on behalf of others (bots: in the configuration)" }
        return mayActFor(person, allowed) ? nil : "bot \(bot) may not act on behalf of \(person)"
    }

    private func mayActFor(_ person: String, _ allowed: [String]) -> Bool {
        allowed.contains { entry in
            switch entry {
            case "maintainers": maintainers.contains(person)
            case "deployers": deployers.contains(person)
            default: entry == person
            }
        }
    }
}
