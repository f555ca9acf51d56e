import Foundation

/// Date phrases for `--since` and `--until`, against an injectable clock and time zone.
///
/// Accepted (case-insensitive, surrounding spaces ignored):
/// - `2026-11-22`, `2026-11-22T14:03`, `2026-11-22 14:03`, `2026-11-22T14:03:05`:
///   that day, minute or second in `timeZone`;
/// - `2026-11`: that month;
/// - `2026`: that year;
/// - `7d`, `2w`, `3m`, `1y`: that many days, weeks, months or years before `now`;
/// - `today`, `yesterday`, `this week|month|year`, `last week|month|year`: calendar
///   periods (weeks start on Monday).
///
/// A phrase names a period; `endOfRange` picks its last instant (for an inclusive
/// `--until`) instead of its first. A relative amount (`7d`) is an instant, the same
/// either way.
public enum DatePhrase {
    /// The instant `text` names, or nil if it is not a date phrase.
    /// - Parameters:
    ///   - text: the phrase.
    ///   - now: the current instant.
    ///   - timeZone: the user's time zone, for calendar days.
    ///   - endOfRange: the last instant of the period (1 ms before the next one) instead of the first.
    public static func parse(_ text: String, now: Date, timeZone: TimeZone, endOfRange: Bool) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        let phrase = text.trimmingCharacters(in: .whitespaces).lowercased()

        func period(_ start: Date?, _ unit: Calendar.Component) -> Date? {
            guard let start else { return nil }
            guard endOfRange else { return start }
            return calendar.date(byAdding: unit, value: 1, to: start)?.addingTimeInterval(-0.001)
        }
        func startOf(_ unit: Calendar.Component, _ date: Date) -> Date? {
            calendar.dateInterval(of: unit, for: date)?.start
        }

        switch phrase {
        case "today": return period(startOf(.day, now), .day)
        case "yesterday": return period(calendar.date(byAdding: .day, value: -1, to: now).flatMap { startOf(.day, $0) }, .day)
        case "this week": return period(startOf(.weekOfYear, now), .weekOfYear)
        case "this month": return period(startOf(.month, now), .month)
        case "this year": return period(startOf(.year, now), .year)
        case "last week": return period(calendar.date(byAdding: .weekOfYear, value: -1, to: now).flatMap { startOf(.weekOfYear, $0) }, .weekOfYear)
        case "last month": return period(calendar.date(byAdding: .month, value: -1, to: now).flatMap { startOf(.month, $0) }, .month)
        case "last year": return period(calendar.date(byAdding: .year, value: -1, to: now).flatMap { startOf(.year, $0) }, .year)
        default: break
        }

        // Relative amounts: 7d, 2w, 3m, 1y.
        if let unitChar = phrase.last, unitChar.isLetter, let amount = Int(phrase.dropLast()), amount >= 0, phrase.count >= 2 {
            let unit: Calendar.Component
            var value = amount
            switch unitChar {
            case "d": unit = .day
            case "w": unit = .day; value = amount * 7
            case "m": unit = .month
            case "y": unit = .year
            default: return nil
            }
            return calendar.date(byAdding: unit, value: -value, to: now)
        }

        // ISO forms.
        let digits = phrase.map { $0 }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= digits.count else { return nil }
            let s = String(digits[range])
            guard s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber) else { return nil }
            return Int(s)
        }
        func separator(_ i: Int, _ allowed: Set<Character>) -> Bool { i < digits.count && allowed.contains(digits[i]) }

        guard let year = number(0..<4) else { return nil }
        var components = DateComponents(calendar: calendar, timeZone: timeZone, year: year, month: 1, day: 1, hour: 0, minute: 0, second: 0)
        if digits.count == 4 { return period(valid(components, calendar), .year) }
        guard separator(4, ["-"]), let month = number(5..<7), (1...12).contains(month) else { return nil }
        components.month = month
        if digits.count == 7 { return period(valid(components, calendar), .month) }
        guard separator(7, ["-"]), let day = number(8..<10) else { return nil }
        components.day = day
        if digits.count == 10 { return period(valid(components, calendar), .day) }
        guard separator(10, ["t", " "]), let hour = number(11..<13), separator(13, [":"]), let minute = number(14..<16),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        components.hour = hour
        components.minute = minute
        if digits.count == 16 { return period(valid(components, calendar), .minute) }
        guard separator(16, [":"]), let second = number(17..<19), digits.count == 19, (0...59).contains(second) else { return nil }
        components.second = second
        return period(valid(components, calendar), .second)
    }

    /// The date of `components`, or nil if they name no real date (2026-02-30).
    private static func valid(_ components: DateComponents, _ calendar: Calendar) -> Date? {
        guard let date = calendar.date(from: components) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        if back.year != components.year || back.month != components.month || back.day != components.day { return nil }
        return date
    }
}
