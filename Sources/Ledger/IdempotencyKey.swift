/// A key that makes a retried append record once, within the scope of whoever sent it.
///
/// Keys are scoped to their sender — a token, a CLI actor, GitHub's webhook deliveries — so one
/// sender can neither see another's events by guessing its key nor make another's genuine
/// append answer "conflict". The store keeps `scope` and `key` together.
public struct IdempotencyKey: Sendable, Hashable, CustomStringConvertible {
    /// Who sent it: `token:<id>`, `cli:<actor>`, `webhook:github`; empty for the ledger's own appends.
    public let scope: String
    /// The key as its sender wrote it.
    public let key: String

    /// The longest key a sender may use.
    public static let maximumLength = 200

    /// - Throws: ``LedgerError/invalidEvent(_:)`` unless `key` is 1-200 printable ASCII
    ///   characters without spaces (the same rule on every path).
    public init(_ key: String, scope: String) throws {
        guard !key.isEmpty, key.utf8.count <= Self.maximumLength, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw LedgerError.invalidEvent("an idempotency key must be 1-\(Self.maximumLength) printable characters without spaces")
        }
        self.scope = scope
        self.key = key
    }

    /// The key as stored: scope and key joined by a space, which neither may hold, so no key of
    /// one scope can spell a key of another.
    var stored: String { scope.isEmpty ? key : "\(scope) \(key)" }

    public var description: String { key }
}

extension IdempotencyKey: ExpressibleByStringLiteral {
    /// A key of the ledger's own scope, as written in code (tests, the ledger's own flows).
    public init(stringLiteral value: String) {
        scope = ""
        key = value
    }
}
