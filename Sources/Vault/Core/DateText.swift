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
        iso8601(date, offsetMinutes: date.utcOffsetMinutes ?? timeZone.secondsFromGMT(for: instant(date, timeZone: timeZone)) / 60)
    }

    /// `iso8601(_:timeZone: .current)` with the offset the C library gives the wall-clock time in
    /// this machine's zone (see `localEntryDate`).
    public static func localISO8601(_ date: EntryDate) -> String {
        if let offset = date.utcOffsetMinutes { return iso8601(date, offsetMinutes: offset) }
        guard let seconds = localOffsetSeconds(date) else { return iso8601(date, timeZone: .current) }
        return iso8601(date, offsetMinutes: seconds / 60)
    }

    /// The UTC offset of this machine's zone at the wall-clock time `date`, from `localtime_r`
    /// only (`mktime` stats /etc/localtime at every call: `list` of 100,000 memories took 0.15 s
    /// more). As Foundation's calendar does: a repeated wall-clock time (the hour a summer time
    /// ends) is the earlier instant; a skipped one (the hour it begins) is read with the offset
    /// from before, and shows the offset of the instant that gives.
    static func localOffsetSeconds(_ date: EntryDate) -> Int? {
        var wall = tm()
        wall.tm_year = Int32(clamping: date.year - 1900)
        wall.tm_mon = Int32(clamping: date.month - 1)
        wall.tm_mday = Int32(clamping: date.day)
        wall.tm_hour = Int32(clamping: date.hour)
        wall.tm_min = Int32(clamping: date.minute)
        let asUTC = timegm(&wall)  // the wall clock read as UTC
        guard asUTC != -1 else { return nil }
        func offset(at instant: time_t) -> Int? {
            var instant = instant
            var parts = tm()
            return localtime_r(&instant, &parts) == nil ? nil : parts.tm_gmtoff
        }
        // A zone changes its offset at most once within a day: the wall clock's offset is the one
        // in force a day before or the one a day after.
        guard let before = offset(at: asUTC - 86_400), let after = offset(at: asUTC + 86_400) else { return nil }
        func shows(_ candidate: Int) -> Bool { offset(at: asUTC - candidate) == candidate }
        switch (shows(before), before == after || shows(after)) {
        case (true, true): return max(before, after)
        case (true, false): return before
        case (false, true) where before != after: return after
        default: return offset(at: asUTC - before)
        }
    }

    private static func iso8601(_ date: EntryDate, offsetMinutes: Int) -> String {
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

    /// The wall-clock time of `instant` in this machine's zone, as the C library reads it (`TZ`,
    /// else `/etc/localtime`): the same minute as `entryDate(_:timeZone: .current)` without the
    /// ICU look-ups of Foundation's first `TimeZone.current` (half a millisecond of an `add`).
    public static func localEntryDate(_ instant: Date) -> EntryDate {
        var seconds = time_t(instant.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return entryDate(instant, timeZone: .current) }
        return EntryDate(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
            hour: Int(parts.tm_hour), minute: Int(parts.tm_min))
    }

    /// Parses a user-given date for `add --date` and `import`.
    ///
    /// Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` and either with
    /// `Z` or `±HH:MM`. A time with an offset is an instant, converted to `timeZone`'s wall clock;
    /// without one it is taken as wall-clock time (`timeZone` is then not asked for: the machine's
    /// zone costs its first use half a millisecond).
    /// - Throws: `VaultError.badInput` quoting the text.
    public static func parseUserDate(_ text: String, timeZone: @autoclosure () -> TimeZone) throws(VaultError) -> EntryDate {
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
            let zone = timeZone()
            return entryDate(instant(wallClock, timeZone: zone), timeZone: zone)
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

/// Bounds for `--since` and `--until`, on the command line and in the assistants' search tool: the
/// one parser of date ranges. A date and time goes through ``DateText/parseUserDate(_:timeZone:)``.
///
/// Accepted (case-insensitive, surrounding spaces ignored):
/// - `2026`, `2026-11`, `2026-11-22`: that year, month or day in `timeZone`;
/// - `2026-11-22 14:03`, `2026-11-22T14:03:05+01:00` and the other forms of `add --date`: that instant;
/// - `7d`, `2w`, `3m`, `1y`: that many days, weeks, months or years before `now`;
/// - `today`, `yesterday`, `this week|month|year`, `last week|month|year`: calendar periods
///   (weeks start on Monday).
///
/// A period's bound is its first instant, or with `end` its last (1 ms before the next period),
/// so that an inclusive `--until` takes in the whole day, month or year.
public enum DateBound {
    /// The instant `text` names; see the type for the forms.
    /// - Parameters:
    ///   - now: the current instant, for phrases and relative amounts.
    ///   - end: the last instant of a period instead of its first.
    /// - Throws: `VaultError.badInput` quoting the text.
    public static func parse(_ text: String, timeZone: TimeZone, end: Bool, now: Date = Date()) throws(VaultError) -> Date {
        let phrase = text.trimmingCharacters(in: .whitespaces).lowercased()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        func bound(_ unit: Calendar.Component, of date: Date?) -> Date? {
            guard let date, let interval = calendar.dateInterval(of: unit, for: date) else { return nil }
            return end ? interval.end.addingTimeInterval(-0.001) : interval.start
        }
        func before(_ unit: Calendar.Component, _ value: Int) -> Date? { calendar.date(byAdding: unit, value: -value, to: now) }
        let bad = VaultError(.badInput, "cannot read the date '\(text.prefix(60))'",
            hint: "use YYYY-MM-DD, YYYY-MM, YYYY, YYYY-MM-DD HH:MM, 7d, 2w, 3m, 1y, today, yesterday, this or last week, month or year")

        let named: Date?
        switch phrase {
        case "today": named = bound(.day, of: now)
        case "yesterday": named = bound(.day, of: before(.day, 1))
        case "this week": named = bound(.weekOfYear, of: now)
        case "this month": named = bound(.month, of: now)
        case "this year": named = bound(.year, of: now)
        case "last week": named = bound(.weekOfYear, of: before(.weekOfYear, 1))
        case "last month": named = bound(.month, of: before(.month, 1))
        case "last year": named = bound(.year, of: before(.year, 1))
        default: named = nil
        }
        if let named { return named }

        func isDigits(_ s: Substring) -> Bool { !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        // Relative amounts: an instant, the same for either end.
        if phrase.count >= 2, let unit = phrase.last, "dwmy".contains(unit), isDigits(phrase.dropLast()), let amount = Int(phrase.dropLast()) {
            let date = switch unit {
            case "d": before(.day, amount)
            case "w": before(.day, 7 * amount)
            case "m": before(.month, amount)
            default: before(.year, amount)
            }
            guard let date else { throw bad }
            return date
        }

        // A year, month or day.
        let parts = phrase.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count <= 3, parts.allSatisfy(isDigits) {
            guard parts.map(\.count) == Array([4, 2, 2].prefix(parts.count)) else { throw bad }
            let numbers = parts.map { Int($0)! }
            let year = numbers[0], month = numbers.count > 1 ? numbers[1] : 1, day = numbers.count > 2 ? numbers[2] : 1
            guard year >= 1, (1...12).contains(month), day >= 1, day <= DateText.daysInMonth(year: year, month: month),
                let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
                let period = bound([.year, .month, .day][numbers.count - 1], of: date)
            else { throw bad }
            return period
        }

        // A date and time: that instant.
        guard let date = try? DateText.parseUserDate(phrase, timeZone: timeZone) else { throw bad }
        return DateText.instant(date, timeZone: timeZone)
    }
}
