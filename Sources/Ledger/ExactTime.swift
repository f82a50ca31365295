/// Exact arithmetic on the log's timestamps (`2026-11-27T06:07:51.123456Z`),
/// to the microsecond, without a date formatter's rounding.
public enum ExactTime {
    /// Microseconds since 1970 for a stored timestamp (or one without a fraction); `nil` when malformed.
    public static func microseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard bytes[index] >= 48, bytes[index] <= 57 else { return nil }
                value = value * 10 + Int64(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var fraction: Int64 = 0
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count - 21 <= 6, let digits = number(20..<(bytes.count - 1)) else { return nil }
            fraction = digits
            for _ in 0..<(6 - (bytes.count - 21)) { fraction *= 10 }
        }
        // Howard Hinnant's days-from-civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000) + fraction
    }

    /// Whole milliseconds from `start` to `end`, rounded half away from zero.
    public static func milliseconds(from start: String, to end: String) -> Int64? {
        guard let start = microseconds(start), let end = microseconds(end) else { return nil }
        let difference = end - start
        return difference >= 0 ? (difference + 500) / 1000 : (difference - 500) / 1000
    }
}
