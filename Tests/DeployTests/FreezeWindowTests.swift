import Deploy
import Foundation
import Simulation
import Testing

/// When a freeze window holds an environment, and what `freeze:` refuses.
struct FreezeWindowTests {
    static func date(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    static func configuration(_ freeze: String) throws -> ShiplogConfiguration {
        try ShiplogConfiguration.parse(ExampleConfiguration.text + "\nfreeze:\n" + freeze, file: "shiplog.yml")
    }

    /// `production`'s freeze at `time`, under `freeze:` text.
    static func frozen(_ freeze: String, at time: String) throws -> ActiveFreeze? {
        try configuration(freeze).activeFreeze(environment: "production", at: try date(time))
    }

    @Test func aDatedWindowIncludesItsStartAndExcludesItsEnd() throws {
        let freeze = """
              production:
                - {name: Launch, start: "2026-12-01T09:00:00Z", end: "2026-12-01T17:00:00+01:00"}
            """
        #expect(try Self.frozen(freeze, at: "2026-12-01T08:59:59Z") == nil)
        #expect(try Self.frozen(freeze, at: "2026-12-01T09:00:00Z")?.until == Self.date("2026-12-01T16:00:00Z"))
        #expect(try Self.frozen(freeze, at: "2026-12-01T15:59:59Z") != nil)
        #expect(try Self.frozen(freeze, at: "2026-12-01T16:00:00Z") == nil)
    }

    @Test func aDateAsTheEndIncludesThatWholeDayInTheWindowsZone() throws {
        let freeze = """
              production:
                - {name: Holidays, reason: most maintainers are away, start: 2026-12-19, end: 2027-01-03, time_zone: Europe/Berlin}
            """
        #expect(try Self.frozen(freeze, at: "2026-12-18T22:59:59Z") == nil)
        let first = try #require(try Self.frozen(freeze, at: "2026-12-18T23:00:00Z"))
        #expect(first == ActiveFreeze(environment: "production", window: "Holidays", reason: "most maintainers are away", until: try Self.date("2027-01-03T23:00:00Z")))
        #expect(first.summary == "production is frozen (Holidays: most maintainers are away) until 2027-01-03T23:00:00Z")
        #expect(try Self.frozen(freeze, at: "2027-01-03T22:59:59Z") != nil)
        #expect(try Self.frozen(freeze, at: "2027-01-03T23:00:00Z") == nil)
        #expect(try Self.configuration(freeze).activeFreeze(environment: "staging", at: try Self.date("2026-12-25T12:00:00Z")) == nil)
    }

    @Test func aWeeklyWindowThatCrossesMidnightHoldsIntoTheNextDay() throws {
        // Friday 22:00 to Saturday 06:00 in UTC; 2026-12-04 is a Friday.
        let freeze = """
              production:
                - {name: Night, days: [fri], start: "22:00", end: "06:00", time_zone: UTC}
            """
        #expect(try Self.frozen(freeze, at: "2026-12-04T21:59:00Z") == nil)
        #expect(try Self.frozen(freeze, at: "2026-12-04T22:00:00Z")?.until == Self.date("2026-12-05T06:00:00Z"))
        #expect(try Self.frozen(freeze, at: "2026-12-05T05:59:59Z")?.until == Self.date("2026-12-05T06:00:00Z"))
        #expect(try Self.frozen(freeze, at: "2026-12-05T06:00:00Z") == nil)
        // Saturday night is not Friday night.
        #expect(try Self.frozen(freeze, at: "2026-12-05T23:00:00Z") == nil)
        #expect(try Self.frozen(freeze, at: "2026-12-03T23:00:00Z") == nil)
    }

    @Test func weeklyTimesAreWallClockTimesOnTheDaysTheClocksChange() throws {
        // New York: 2026-03-08 springs forward at 02:00 (EST→EDT), 2026-11-01 falls back at 02:00 (EDT→EST).
        let freeze = """
              production:
                - {name: Sunday maintenance, days: [sunday], start: "00:00", end: "06:00", time_zone: America/New_York}
            """
        // Spring: 00:00 EST is 05:00Z, 06:00 EDT is 10:00Z — five hours, not six.
        #expect(try Self.frozen(freeze, at: "2026-03-08T04:59:59Z") == nil)
        #expect(try Self.frozen(freeze, at: "2026-03-08T05:00:00Z")?.until == Self.date("2026-03-08T10:00:00Z"))
        #expect(try Self.frozen(freeze, at: "2026-03-08T10:00:00Z") == nil)
        // Autumn: 00:00 EDT is 04:00Z, 06:00 EST is 11:00Z — seven hours.
        #expect(try Self.frozen(freeze, at: "2026-11-01T03:59:59Z") == nil)
        #expect(try Self.frozen(freeze, at: "2026-11-01T04:00:00Z")?.until == Self.date("2026-11-01T11:00:00Z"))
        #expect(try Self.frozen(freeze, at: "2026-11-01T10:59:59Z") != nil)
        #expect(try Self.frozen(freeze, at: "2026-11-01T11:00:00Z") == nil)
    }

    @Test func windowsThatFollowOnWithoutAGapAreOneFreeze() throws {
        // Friday evening, then the weekend: frozen from Friday 18:00 until Monday 00:00.
        let freeze = """
              production:
                - {name: Friday evening, days: [fri], start: "18:00", end: "24:00", time_zone: UTC}
                - {name: Weekend, days: [sat, sun], start: "00:00", end: "24:00", time_zone: UTC}
            """
        let friday = try #require(try Self.frozen(freeze, at: "2026-12-04T19:00:00Z"))
        #expect(friday.window == "Friday evening")
        #expect(friday.until == (try Self.date("2026-12-07T00:00:00Z")))
        #expect(try Self.frozen(freeze, at: "2026-12-06T23:59:59Z")?.window == "Weekend")
        #expect(try Self.frozen(freeze, at: "2026-12-07T00:00:00Z") == nil)
    }

    @Test(arguments: [
        ("    - {name: Night, days: [fri], start: \"22:00\", end: \"06:00\", time_zone: Mars/Olympus}",
         "shiplog.yml: freeze.production[0].time_zone: unknown time zone 'Mars/Olympus' (an IANA name such as Europe/Berlin or UTC)"),
        ("    - {name: Holidays, start: 2027-01-03, end: 2026-12-19}",
         "shiplog.yml: freeze.production[0].end: must be after start (2027-01-03), not '2026-12-19'"),
        ("    - {name: Night, days: [fri, fryday], start: \"22:00\", end: \"06:00\", time_zone: UTC}",
         "shiplog.yml: freeze.production[0].days[1]: unknown day 'fryday' (known: sun, mon, tue, wed, thu, fri, sat)"),
        ("    - {name: Night, days: [fri], start: \"25:00\", end: \"06:00\", time_zone: UTC}",
         "shiplog.yml: freeze.production[0].start: must be a time of day such as 18:00, not '25:00'"),
        ("    - {name: Night, days: [fri], start: \"22:00\", end: \"06:00\"}",
         "shiplog.yml: freeze.production[0].time_zone: missing: a weekly window needs the zone its times are in (UTC, Europe/Berlin, ...)"),
        ("    - {name: Soon, start: next week, end: 2026-12-19}",
         "shiplog.yml: freeze.production[0].start: must be an ISO 8601 date-time with its offset (2026-12-19T17:00:00Z) or a date (2026-12-19), not 'next week'"),
        ("    - {start: 2026-12-19, end: 2026-12-20}", "shiplog.yml: freeze.production[0].name: missing"),
        ("    - {name: Holidays, start: 2026-12-19, end: 2026-12-20, until: 2027-01-01}",
         "shiplog.yml: freeze.production[0].until: unknown key (known: days, end, name, reason, start, time_zone)"),
    ])
    func badFreezeConfigurationIsOneLineNamingTheField(window: String, message: String) throws {
        let error = #expect(throws: ConfigurationError.self) {
            try Self.configuration("  production:\n" + window)
        }
        #expect(error?.message == message)
        #expect(error?.message.contains("\n") == false)
    }

    @Test func aFreezeOfAnEnvironmentNoAppHasIsRefused() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try Self.configuration("  prod:\n    - {name: Holidays, start: 2026-12-19, end: 2027-01-03}")
        }
        #expect(error?.message == "shiplog.yml: freeze.prod: no app has this environment (known: production, staging)")
    }

    @Test func theExampleConfigurationsCommentedFreezeParses() throws {
        let commented = ExampleConfiguration.text.split(separator: "\n").drop { !$0.hasPrefix("# freeze:") }.prefix { $0.hasPrefix("#") }
        let text = commented.map { $0.dropFirst(2) }.joined(separator: "\n")
        let configuration = try ShiplogConfiguration.parse(ExampleConfiguration.text + "\n" + text, file: "shiplog.yml")
        #expect(configuration.freezes["production"]?.map(\.name) == ["Year-end holidays", "Friday evenings"])
    }
}
