import Access

extension Role {
    /// The role named `text`, or a one-line reason why there is none.
    public static func named(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw TokenError.badRequest("role must be viewer, deployer or maintainer, not '\(text)'")
        }
        return role
    }
}
