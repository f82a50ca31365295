/// Says whether a GitHub login is a maintainer: the configuration's `maintainers:` list, or a
/// GitHub team asked over its REST API (``GitHubTeamDirectory``).
public protocol MaintainerDirectory: Sendable {
    /// What the directory says about `login`; never throws, because a directory that cannot be
    /// asked answers ``MaintainerAnswer/unknown(_:)`` and the policy refuses (fails closed).
    func lookUp(_ login: String) async -> MaintainerAnswer
}

/// A directory's answer for one login.
public enum MaintainerAnswer: Sendable, Equatable {
    case maintainer
    /// Not a maintainer, and why (not a member, an invitation still pending).
    case notMaintainer(String)
    /// The directory could not be asked, and why: taken as not a maintainer.
    case unknown(String)

    /// Why the login is not a maintainer; nil for a maintainer.
    public var reason: String? {
        switch self {
        case .maintainer: nil
        case .notMaintainer(let reason), .unknown(let reason): reason
        }
    }
}
