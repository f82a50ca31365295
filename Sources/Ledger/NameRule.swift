/// What a name in the ledger may be: a stream, an actor, a token's name, an app or an
/// environment. Letters, digits and `._-@`, plus `[` and `]` for GitHub's bot logins
/// (`dependabot[bot]`); 1 to 128 characters; not `.` or `..`. No path separators, quotes,
/// spaces or SQL, so a name is safe in a URL path, a file name and a log line.
public enum NameRule {
    public static let maximumLength = 128

    public static func isValid(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= maximumLength && value != "." && value != ".."
            && value.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
            }
    }

    /// The one-line reason `value` is not a valid `what`.
    public static func problem(_ value: String, what: String) -> String {
        "\(what) must be 1-\(maximumLength) letters, digits, '.', '_', '-', '@', '[' or ']', not '\(value.prefix(80))'"
    }

    /// - Throws: ``LedgerError/invalidEvent(_:)`` when `value` is not a valid name.
    public static func check(_ value: String, what: String) throws {
        guard isValid(value) else { throw LedgerError.invalidEvent(problem(value, what: what)) }
    }
}
