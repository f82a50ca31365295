/// Why a token command was refused, on one line.
public struct TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, to switch on.
    public enum Code: String, Sendable, Hashable {
        case badRequest, notFound, conflict
    }

    public let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func badRequest(_ message: String) -> TokenError { TokenError(.badRequest, message) }
    public static func notFound(_ message: String) -> TokenError { TokenError(.notFound, message) }
    public static func conflict(_ message: String) -> TokenError { TokenError(.conflict, message) }
}
