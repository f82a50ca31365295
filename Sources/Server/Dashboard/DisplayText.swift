/// The short forms the dashboard shows: times to the second in UTC, durations in minutes and
/// seconds. The full ISO 8601 time stays in each `<time datetime>`.
enum DisplayText {
    /// `2026-11-27T10:00:03.123456Z` → `2026-11-27 10:00:03 UTC`; anything else unchanged.
    static func time(_ iso: String) -> String {
        let parts = iso.split(separator: "T", maxSplits: 1)
        guard parts.count == 2, iso.hasSuffix("Z") else { return iso }
        return "\(parts[0]) \(parts[1].prefix(8)) UTC"
    }

    static func time(_ iso: String?) -> String? {
        iso.map { time($0) }
    }

    /// 252 000 ms → `4m 12s`; under a second → `850 ms`.
    static func duration(milliseconds: Int64?) -> String? {
        guard let milliseconds else { return nil }
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        let seconds = milliseconds / 1000
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m \(seconds % 60)s" }
        return "\(seconds / 3600)h \(seconds % 3600 / 60)m"
    }
}
