/// What a principal may do, each role including the ones below it: a viewer reads, a deployer also
/// deploys and records events, a maintainer also rolls back and deploys to production.
///
/// A token carries its role; a person acting through the CLI gets the one the configuration's
/// `maintainers:` (a list, or a GitHub team) and `deployers:` give them.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case viewer, deployer, maintainer

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .deployer: 1
        case .maintainer: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

extension Role {
    /// The role named `text`, or a one-line reason why there is none.
    public static func named(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw TokenError.badRequest("role must be viewer, deployer or maintainer, not '\(text)'")
        }
        return role
    }
}
