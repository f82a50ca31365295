/// Why a token command was refused, on one line.
public struct TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case badRequest, notFound, conflict
    }

    private let kind: Kind
    public let message: String

    private init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func badRequest(_ message: String) -> TokenError { TokenError(.badRequest, message) }
    public static func notFound(_ message: String) -> TokenError { TokenError(.notFound, message) }
    public static func conflict(_ message: String) -> TokenError { TokenError(.conflict, message) }

    public var isNotFound: Bool { kind == .notFound }
    public var isConflict: Bool { kind == .conflict }
}
