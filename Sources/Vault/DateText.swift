import Foundation
import MarkdownCodec

/// Dates as memvault reads and writes them: heading wall-clock times, ISO 8601 and day/month keys.
public enum DateText {
    /// The instant of a heading's wall-clock time, in its own offset or else `timeZone`.
    public static func instant(_ date: EntryDate, timeZone: TimeZone) -> Date {
        var components = DateComponents(
            year: date.year, month: date.month, day: date.day, hour: date.hour, minute: date.minute)
        var calendar = Calendar(identifier: .gregorian)
        if let offset = date.utcOffsetMinutes {
            calendar.timeZone = TimeZone(secondsFromGMT: offset * 60)!
        } else {
            calendar.timeZone = timeZone
        }
        components.calendar = calendar
        return calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
    }

    /// `2026-11-22T14:03:00+01:00`.
    public static func iso8601(_ date: EntryDate, timeZone: TimeZone) -> String {
        let offsetMinutes = date.utcOffsetMinutes
            ?? timeZone.secondsFromGMT(for: instant(date, timeZone: timeZone)) / 60
        let sign = offsetMinutes < 0 ? "-" : "+"
        let offset = abs(offsetMinutes)
        guard date.year >= 0, date.month >= 0, date.day >= 0, date.hour >= 0, date.minute >= 0 else {
            return String(
                format: "%04d-%02d-%02dT%02d:%02d:00%@%02d:%02d", date.year, date.month, date.day,
                date.hour, date.minute, sign, offset / 60, offset % 60)
        }
        // Not String(format:), which costs microseconds a call (search results format one each).
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return padded(date.year, 4) + "-" + padded(date.month, 2) + "-" + padded(date.day, 2) + "T" + padded(date.hour, 2)
            + ":" + padded(date.minute, 2) + ":00" + sign + padded(offset / 60, 2) + ":" + padded(offset % 60, 2)
    }

    /// The wall-clock time of `instant` in `timeZone`, as a heading writes it (no offset).
    public static func entryDate(_ instant: Date, timeZone: TimeZone) -> EntryDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        return EntryDate(year: c.year!, month: c.month!, day: c.day!, hour: c.hour!, minute: c.minute!)
    }

    /// Parses a user-given date for `add --date` and `import`.
    ///
    /// Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` and either with
    /// `Z` or `±HH:MM`. A time with an offset is an instant, converted to `timeZone`'s wall clock;
    /// without one it is taken as wall-clock time.
    /// - Throws: `VaultError.badInput` quoting the text.
    public static func parseUserDate(_ text: String, timeZone: TimeZone) throws(VaultError) -> EntryDate {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let bytes = Array(trimmed.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for b in bytes[range] {
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        let bad = VaultError(.badInput, "cannot read the date '\(trimmed.prefix(60))'",
            hint: "use YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601 like 2026-11-22T14:03:00+01:00")
        guard bytes.count >= 10, let year = digits(0..<4), bytes[4] == 45, let month = digits(5..<7),
            bytes[7] == 45, let day = digits(8..<10)
        else { throw bad }
        var hour = 0, minute = 0, second = 0
        var index = 10
        if index < bytes.count {
            guard bytes[index] == 84 || bytes[index] == 32 || bytes[index] == 116,
                let h = digits(index + 1..<index + 3), bytes.count > index + 3, bytes[index + 3] == 58,
                let m = digits(index + 4..<index + 6)
            else { throw bad }
            hour = h
            minute = m
            index += 6
            if index < bytes.count, bytes[index] == 58 {
                guard let s = digits(index + 1..<index + 3) else { throw bad }
                second = s
                index += 3
                if index < bytes.count, bytes[index] == 46 {
                    index += 1
                    while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 { index += 1 }
                }
            }
        }
        _ = second
        var offsetMinutes: Int?
        if index < bytes.count {
            if bytes[index] == 90 || bytes[index] == 122, index + 1 == bytes.count {
                offsetMinutes = 0
            } else if bytes[index] == 43 || bytes[index] == 45, let oh = digits(index + 1..<index + 3) {
                var om = 0
                if index + 3 < bytes.count {
                    let rest = bytes[index + 3] == 58 ? index + 4 : index + 3
                    guard let m = digits(rest..<rest + 2), rest + 2 == bytes.count else { throw bad }
                    om = m
                } else if index + 3 != bytes.count {
                    throw bad
                }
                offsetMinutes = (bytes[index] == 45 ? -1 : 1) * (oh * 60 + om)
            } else {
                throw bad
            }
        }
        guard (1...12).contains(month), (0...23).contains(hour), (0...59).contains(minute), year >= 1,
            day >= 1, day <= daysInMonth(year: year, month: month)
        else { throw bad }
        let wallClock = EntryDate(year: year, month: month, day: day, hour: hour, minute: minute, utcOffsetMinutes: offsetMinutes)
        if offsetMinutes != nil {
            return entryDate(instant(wallClock, timeZone: timeZone), timeZone: timeZone)
        }
        return wallClock
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Bounds for `--since` and `--until`.
public enum DateBound {
    /// The instant that starts (or, with `end`, ends) the day or month `text` names:
    /// `YYYY-MM-DD`, `YYYY-MM`, or a full date and time.
    /// - Throws: `VaultError.badInput` quoting the text.
    public static func parse(_ text: String, timeZone: TimeZone, end: Bool) throws(VaultError) -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = trimmed.split(separator: "-")
        if parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
            (1...12).contains(month)
        {
            let start = calendar.date(from: DateComponents(year: year, month: month, day: 1))!
            return end ? calendar.date(byAdding: DateComponents(month: 1, second: -1), to: start)! : start
        }
        let date = try DateText.parseUserDate(trimmed, timeZone: timeZone)
        if trimmed.count == 10 {
            let start = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day))!
            return end ? calendar.date(byAdding: DateComponents(day: 1, second: -1), to: start)! : start
        }
        return DateText.instant(date, timeZone: timeZone)
    }
}
