import Foundation

/// How long a token works once issued: a whole number of seconds, minutes, hours or days
/// (`90d`, `12h`, `30m`, `45s`), at least one second and at most ten years.
///
/// ```swift
/// let lifetime = try TokenLifetime("90d")   // 7,776,000 seconds
/// ```
public struct TokenLifetime: Sendable, Equatable, CustomStringConvertible {
    public let seconds: TimeInterval
    public let description: String

    private static let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
    /// Longer than this is a token that never expires by another name.
    static let maximumSeconds = 3650 * 86_400

    /// - Throws: ``TokenError`` (bad request) for anything but a positive count and one unit.
    public init(_ text: String) throws {
        let refusal = TokenError.badRequest(
            "expiry must be a positive whole number and a unit s, m, h or d (such as 90d), at most 3650d, not '\(text)'")
        guard let unit = text.last, let scale = Self.units[unit] else { throw refusal }
        let count = text.dropLast()
        guard !count.isEmpty, count.allSatisfy(\.isASCII), count.allSatisfy(\.isNumber), count.count <= 10,
              let value = Int(count), value > 0, value <= Self.maximumSeconds / scale else { throw refusal }
        seconds = TimeInterval(value * scale)
        description = text
    }
}
