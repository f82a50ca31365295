/// An error from the Merkle tree, checkpoints, keys or offline audits, with a
/// one-line message that names the problem.
///
/// Made by static members that fill in the message; match ``code`` in a `switch` or a `catch` clause.
public struct TransparencyError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of problem it is.
    public enum Code: Equatable, Sendable {
        case outOfRange
        case malformed
        case badSignature
        case keyFile
        case verificationFailed
    }

    public let code: Code
    /// What went wrong, on one line.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// A position or tree size the log does not have.
    public static func outOfRange(_ reason: String) -> TransparencyError {
        TransparencyError(.outOfRange, reason)
    }

    /// A checkpoint, key, proof or export that cannot be parsed.
    public static func malformed(_ reason: String) -> TransparencyError {
        TransparencyError(.malformed, reason)
    }

    /// A signature that does not verify, or a note not signed by the expected key.
    public static func badSignature(_ reason: String) -> TransparencyError {
        TransparencyError(.badSignature, reason)
    }

    /// A key file that cannot be written or read.
    public static func keyFile(_ reason: String) -> TransparencyError {
        TransparencyError(.keyFile, reason)
    }

    /// Evidence that does not match what was signed: a changed, dropped or reordered row, a truncated log.
    public static func verificationFailed(_ reason: String) -> TransparencyError {
        TransparencyError(.verificationFailed, reason)
    }
}
