import Access

/// The page between a dashboard button and what it starts: says what will happen and asks to
/// confirm with a POST that carries the session's form token. When what was asked for cannot be
/// done as asked (a tag the registry lacks), it says why and offers what can: the nearest tags.
/// Stored properties only: Mustache reads them by reflection.
struct ConfirmationPage: Sendable {
    /// A line of what will happen.
    struct Fact: Sendable {
        let name: String
        let value: String
    }

    /// A hidden field the confirmation posts.
    struct Field: Sendable {
        let name: String
        let value: String
    }

    /// The confirming form.
    struct Confirm: Sendable {
        let action: String
        let fields: [Field]
        let button: String
    }

    /// A tag to try instead, linking to its own confirmation.
    struct Suggestion: Sendable {
        let tag: String
        let link: String
    }

    /// The rollback form again, with tags that exist near the one that does not.
    struct Retry: Sendable {
        let action: String
        let suggestions: [Suggestion]
        let hasSuggestions: Bool
    }

    let identity: APIIdentity
    let formToken: String?
    let heading: String
    /// Why it cannot go on as asked, or what to know before confirming (a freeze).
    let notice: String?
    let facts: [Fact]
    let confirm: Confirm?
    let retry: Retry?
}
