/// The tags closest to one that does not exist, for "did you mean" messages.
enum NearestTags {
    /// Up to `limit` tags of `tags`, closest first by edit distance, ties broken by the longer shared prefix.
    static func closest(to tag: String, in tags: [String], limit: Int = 3) -> [String] {
        let scored = tags.map { candidate in
            (candidate, distance(Array(tag), Array(candidate)), sharedPrefix(tag, candidate))
        }
        return scored.sorted { a, b in
            a.1 != b.1 ? a.1 < b.1 : a.2 != b.2 ? a.2 > b.2 : a.0 < b.0
        }.prefix(limit).map(\.0)
    }

    private static func sharedPrefix(_ a: String, _ b: String) -> Int {
        zip(a, b).prefix { $0 == $1 }.count
    }

    private static func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
