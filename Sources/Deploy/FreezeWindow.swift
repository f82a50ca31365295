import Foundation

/// A time during which an environment takes no deploys, promotions or reconcile corrections
/// (`freeze:` in `shiplog.yml`); rollbacks still run, because they are how a frozen environment
/// recovers.
///
/// ```swift
/// let holidays = FreezeWindow(name: "Holidays", schedule: .dated(start: december20, end: january4))
/// holidays.occurrence(containing: now)   // the end of the window, when `now` is inside it
/// ```
public struct FreezeWindow: Sendable, Equatable {
    public enum Schedule: Sendable, Equatable {
        /// From `start` (included) to `end` (excluded).
        case dated(start: Date, end: Date)
        /// Every week on `days`, from `start` to `end` (minutes after local midnight in `timeZone`,
        /// `end` up to 1440). An `end` at or before `start` runs past midnight into the next day.
        case weekly(days: Set<Weekday>, start: Int, end: Int, timeZone: TimeZone)
    }

    /// Days as the configuration names them; the raw value is `Calendar`'s weekday number.
    public enum Weekday: Int, Sendable, CaseIterable {
        case sun = 1, mon, tue, wed, thu, fri, sat

        public var name: String { String(describing: self) }

        public static func named(_ text: String) -> Weekday? {
            let lower = text.lowercased()
            return allCases.first { $0.name == lower || fullNames[$0] == lower }
        }

        private static let fullNames: [Weekday: String] = [
            .sun: "sunday", .mon: "monday", .tue: "tuesday", .wed: "wednesday", .thu: "thursday", .fri: "friday", .sat: "saturday",
        ]
    }

    public var name: String
    /// Why the environment is frozen, for the refusal and the dashboard.
    public var reason: String?
    public var schedule: Schedule

    public init(name: String, reason: String? = nil, schedule: Schedule) {
        self.name = name
        self.reason = reason
        self.schedule = schedule
    }

    /// When the occurrence of this window that holds `date` ends; nil when `date` is outside every occurrence.
    public func occurrence(containing date: Date) -> Date? {
        switch schedule {
        case .dated(let start, let end):
            return start <= date && date < end ? end : nil
        case .weekly(let days, let start, let end, let timeZone):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let today = calendar.startOfDay(for: date)
            // An occurrence that crosses midnight may have begun the day before.
            for offset in [0, -1] {
                guard let day = calendar.date(byAdding: .day, value: offset, to: today),
                      let weekday = Weekday(rawValue: calendar.component(.weekday, from: day)), days.contains(weekday),
                      let opens = Self.time(start, on: day, calendar),
                      let closes = Self.time(end, on: end > start ? day : calendar.date(byAdding: .day, value: 1, to: day) ?? day, calendar)
                else { continue }
                if opens <= date && date < closes { return closes }
            }
            return nil
        }
    }

    /// `minutes` after the start of `day`, read on the wall clock of `calendar`'s zone: on a day
    /// the clocks change, 06:00 is still 06:00, however many hours have passed since midnight.
    private static func time(_ minutes: Int, on day: Date, _ calendar: Calendar) -> Date? {
        if minutes >= 24 * 60 { return calendar.date(byAdding: .day, value: 1, to: day) }
        var components = calendar.dateComponents([.year, .month, .day], from: day)
        components.hour = minutes / 60
        components.minute = minutes % 60
        return calendar.date(from: components)
    }
}

/// The freeze an environment is in at a moment: the window, and when the environment thaws.
public struct ActiveFreeze: Sendable, Equatable {
    public var environment: String
    public var window: String
    public var reason: String?
    /// When no window holds the environment any more (windows that follow on without a gap count as one).
    public var until: Date

    public init(environment: String, window: String, reason: String? = nil, until: Date) {
        self.environment = environment
        self.window = window
        self.reason = reason
        self.until = until
    }

    /// `until` as the API and the dashboard write times.
    public var untilText: String { until.formatted(.iso8601) }

    /// `production is frozen (Holidays: most maintainers are away) until 2027-01-04T00:00:00Z`
    public var summary: String {
        "\(environment) is frozen (\(window)\(reason.map { ": \($0)" } ?? "")) until \(untilText)"
    }
}

extension ShiplogConfiguration {
    /// The freeze `environment` is in at `date`, if a window of `freeze:` holds it.
    public func activeFreeze(environment: String, at date: Date) -> ActiveFreeze? {
        let windows = freezes[environment] ?? []
        guard let first = windows.lazy.compactMap({ window in window.occurrence(containing: date).map { (window, $0) } }).first else {
            return nil
        }
        var until = first.1
        // Back-to-back windows (a weekend made of Friday evening, Saturday and Sunday) are one
        // freeze; a bounded walk, since weekly windows could otherwise cover every hour.
        for _ in 0..<64 {
            guard let next = windows.compactMap({ $0.occurrence(containing: until) }).max(), next > until else { break }
            until = next
        }
        return ActiveFreeze(environment: environment, window: first.0.name, reason: first.0.reason, until: until)
    }
}

/// The reason a maintainer gives to deploy, promote or reconcile inside a freeze window.
public enum FreezeOverride {
    public static let maximumLength = 500

    /// - Throws: ``DeployError/badRequest(_:)`` for a reason that is empty, spans lines or runs
    ///   past ``maximumLength`` characters: it goes into the ledger and onto one line of the audit.
    public static func check(_ reason: String) throws {
        if reason.trimmingCharacters(in: .whitespaces).isEmpty {
            throw DeployError.badRequest("the freeze override needs a reason (--override-freeze \"why\", or override_freeze in the API)")
        }
        if reason.contains(where: \.isNewline) || reason.count > maximumLength {
            throw DeployError.badRequest("the freeze override's reason must be one line of at most \(maximumLength) characters")
        }
    }
}
