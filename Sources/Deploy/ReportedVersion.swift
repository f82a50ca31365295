import Foundation

/// What a version endpoint reports, and whether it is the release a deploy shipped.
public enum ReportedVersion {
    /// The `release` (else `version`) field of a JSON object, else the trimmed text.
    public static func parse(_ body: String) -> String {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] {
            for key in ["release", "version"] {
                if let value = object[key] as? String { return value }
            }
        }
        return trimmed
    }

    /// Equal, or one a prefix of the other of at least 7 characters (a short and a full commit SHA).
    public static func matches(reported: String, expected: String) -> Bool {
        if reported == expected { return true }
        let shorter = min(reported.count, expected.count)
        return shorter >= 7 && (reported.hasPrefix(expected) || expected.hasPrefix(reported))
    }
}
