import Foundation
import Yams

/// Reads `freeze:`: environment → a list of windows, each dated (`start`, `end`) or weekly
/// (`days`, `start`, `end` as times of day, `time_zone`), each with a `name` and an optional `reason`.
///
/// ```yaml
/// freeze:
///   production:
///     - {name: Holidays, reason: most maintainers are away, start: 2026-12-19, end: 2027-01-03}
///     - {name: Friday evenings, days: [fri], start: "17:00", end: "24:00", time_zone: America/New_York}
/// ```
enum FreezeParser {
    static func parse(
        _ node: Node, _ reader: ConfigurationParser.Reader, known apps: [String: ShiplogConfiguration.App]
    ) throws -> [String: [FreezeWindow]] {
        let known = Set(apps.values.flatMap(\.environments.keys))
        var freezes: [String: [FreezeWindow]] = [:]
        for (environment, value) in try reader.mapping(node, "freeze", allowed: nil) {
            let key = "freeze.\(environment)"
            guard known.contains(environment) else {
                throw ConfigurationError.invalid(file: reader.file, key: key, "no app has this environment (known: \(known.sorted().joined(separator: ", ")))")
            }
            guard case .sequence(let windows) = value else {
                throw ConfigurationError.invalid(file: reader.file, key: key, "must be a list of windows such as [{name: Holidays, start: 2026-12-19, end: 2027-01-03}]")
            }
            freezes[environment] = try windows.enumerated().map { index, window in try self.window(window, "\(key)[\(index)]", reader) }
        }
        return freezes
    }

    private static func window(_ node: Node, _ key: String, _ reader: ConfigurationParser.Reader) throws -> FreezeWindow {
        let fields = try reader.mapping(node, key, allowed: ["name", "reason", "start", "end", "days", "time_zone"])
        let name = try reader.required(fields, "name", key) { try reader.string($0, "\(key).name") }
        let reason = try fields["reason"].map { try reader.string($0, "\(key).reason") }
        let zoneName = try fields["time_zone"].map { try reader.string($0, "\(key).time_zone") }
        let zone = try zoneName.map { name in
            guard let zone = TimeZone(identifier: name) else {
                throw ConfigurationError.invalid(file: reader.file, key: "\(key).time_zone", "unknown time zone '\(name)' (an IANA name such as Europe/Berlin or UTC)")
            }
            return zone
        }
        let start = try reader.required(fields, "start", key) { try reader.string($0, "\(key).start") }
        let end = try reader.required(fields, "end", key) { try reader.string($0, "\(key).end") }
        guard let daysNode = fields["days"] else {
            let opens = try moment(start, "\(key).start", zone, reader, endOfDay: false)
            let closes = try moment(end, "\(key).end", zone, reader, endOfDay: true)
            guard closes > opens else {
                throw ConfigurationError.invalid(file: reader.file, key: "\(key).end", "must be after start (\(start)), not '\(end)'")
            }
            return FreezeWindow(name: name, reason: reason, schedule: .dated(start: opens, end: closes))
        }
        guard let zone else {
            throw ConfigurationError.invalid(file: reader.file, key: "\(key).time_zone", "missing: a weekly window needs the zone its times are in (UTC, Europe/Berlin, ...)")
        }
        let days = try reader.strings(daysNode, "\(key).days").enumerated().map { index, text in
            guard let day = FreezeWindow.Weekday.named(text) else {
                throw ConfigurationError.invalid(
                    file: reader.file, key: "\(key).days[\(index)]",
                    "unknown day '\(text)' (known: \(FreezeWindow.Weekday.allCases.map(\.name).joined(separator: ", ")))")
            }
            return day
        }
        if days.isEmpty { throw ConfigurationError.invalid(file: reader.file, key: "\(key).days", "must name at least one day") }
        let opens = try timeOfDay(start, "\(key).start", reader, allowsMidnightEnd: false)
        let closes = try timeOfDay(end, "\(key).end", reader, allowsMidnightEnd: true)
        guard opens != closes else {
            throw ConfigurationError.invalid(file: reader.file, key: "\(key).end", "must differ from start (\(start)); for whole days use start 00:00, end 24:00")
        }
        return FreezeWindow(name: name, reason: reason, schedule: .weekly(days: Set(days), start: opens, end: closes, timeZone: zone))
    }

    /// An ISO 8601 date-time with its offset (`2026-12-19T17:00:00Z`), or a date, which is midnight
    /// in `zone` (UTC without one); a date as an end includes that whole day.
    private static func moment(
        _ text: String, _ key: String, _ zone: TimeZone?, _ reader: ConfigurationParser.Reader, endOfDay: Bool
    ) throws -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone ?? TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
           let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
           let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
           calendar.component(.day, from: date) == day {
            return endOfDay ? calendar.date(byAdding: .day, value: 1, to: date) ?? date : date
        }
        throw ConfigurationError.invalid(
            file: reader.file, key: key, "must be an ISO 8601 date-time with its offset (2026-12-19T17:00:00Z) or a date (2026-12-19), not '\(text)'")
    }

    /// `HH:MM` as minutes after midnight; `24:00` only as an end.
    private static func timeOfDay(_ text: String, _ key: String, _ reader: ConfigurationParser.Reader, allowsMidnightEnd: Bool) throws -> Int {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
           (0..<60).contains(minute), (0..<24).contains(hour) || (allowsMidnightEnd && hour == 24 && minute == 0) {
            return hour * 60 + minute
        }
        throw ConfigurationError.invalid(
            file: reader.file, key: key, "must be a time of day such as 18:00\(allowsMidnightEnd ? " (24:00 for midnight)" : ""), not '\(text)'")
    }
}
