/// A local wall-clock date and time read from (or written to) an entry heading.
///
/// Ordering compares the wall-clock fields as written, then the offset (a missing
/// offset sorts first); it never converts to UTC, so the order matches what a
/// reader sees in the file.
public struct EntryDate: Sendable, Hashable, Comparable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    /// Minutes east of UTC, or nil when the heading has no offset.
    public var utcOffsetMinutes: Int?

    public init(
        year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, utcOffsetMinutes: Int? = nil
    ) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// The heading form: `2026-11-22 14:03`, or `2026-11-22 14:03 +01:00` with an offset.
    public var headingText: String {
        var text = "\(dayKey) \(Self.twoDigits(hour)):\(Self.twoDigits(minute))"
        if let offset = utcOffsetMinutes {
            let magnitude = abs(offset)
            text += " \(offset < 0 ? "-" : "+")\(Self.twoDigits(magnitude / 60)):\(Self.twoDigits(magnitude % 60))"
        }
        return text
    }

    /// `YYYY-MM`, for grouping entries into monthly files.
    public var monthKey: String { "\(Self.fourDigits(year))-\(Self.twoDigits(month))" }

    /// `YYYY-MM-DD`.
    public var dayKey: String { "\(monthKey)-\(Self.twoDigits(day))" }

    /// Whether the fields name a real calendar date and time (proleptic Gregorian).
    public var isValid: Bool {
        guard (1...9999).contains(year), (1...12).contains(month) else { return false }
        guard (1...Self.daysIn(month: month, year: year)).contains(day) else { return false }
        guard (0...23).contains(hour), (0...59).contains(minute) else { return false }
        if let offset = utcOffsetMinutes, !(-(23 * 60 + 59)...(23 * 60 + 59)).contains(offset) { return false }
        return true
    }

    public static func < (lhs: EntryDate, rhs: EntryDate) -> Bool {
        let left = (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute)
        let right = (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute)
        if left != right { return left < right }
        switch (lhs.utcOffsetMinutes, rhs.utcOffsetMinutes) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let l?, let r?): return l < r
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static func fourDigits(_ value: Int) -> String {
        let digits = String(value)
        return digits.count >= 4 ? digits : String(repeating: "0", count: 4 - digits.count) + digits
    }
}
