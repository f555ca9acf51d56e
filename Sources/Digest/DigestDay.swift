import Foundation
import Vault

/// A calendar day in the vault's time zone, the unit a digest covers.
public struct DigestDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    /// - Throws: `VaultError.badInput` quoting the text.
    public init(parsing text: String) throws(VaultError) {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d), y >= 1
        else {
            throw VaultError(.badInput, "cannot read the day '\(text.prefix(40))'", hint: "use YYYY-MM-DD")
        }
        self.init(year: y, month: m, day: d)
        let utc = TimeZone(identifier: "UTC")!
        guard DigestDay(containing: start(in: utc), timeZone: utc) == self else {
            throw VaultError(.badInput, "there is no day '\(text)'", hint: "use YYYY-MM-DD")
        }
    }

    /// The day that contains `instant` in `timeZone`.
    public init(containing instant: Date, timeZone: TimeZone) {
        let c = Self.calendar(timeZone).dateComponents([.year, .month, .day], from: instant)
        self.init(year: c.year!, month: c.month!, day: c.day!)
    }

    /// `2026-11-22`.
    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// The first instant of the day in `timeZone`.
    public func start(in timeZone: TimeZone) -> Date {
        Self.calendar(timeZone).date(from: DateComponents(year: year, month: month, day: day))!
    }

    /// The next day.
    public func next(in timeZone: TimeZone) -> DigestDay {
        let calendar = Self.calendar(timeZone)
        let noon = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
        return DigestDay(containing: calendar.date(byAdding: .day, value: 1, to: noon)!, timeZone: timeZone)
    }

    /// The English weekday name, computed without locale data so output never varies.
    public var weekday: String {
        // Zeller-style: days since 0001-01-01 (a Monday) in the proleptic Gregorian calendar.
        let y = month <= 2 ? year - 1 : year
        let m = month <= 2 ? month + 12 : month
        let k = y % 100, j = y / 100
        let h = (day + 13 * (m + 1) / 5 + k + k / 4 + j / 4 + 5 * j) % 7  // 0 = Saturday
        return ["Saturday", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"][h]
    }

    public static func < (a: DigestDay, b: DigestDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }
}

extension DigestDay {
    /// The day `days` days later (earlier when negative), in the proleptic Gregorian calendar.
    public func adding(days: Int) -> DigestDay {
        let utc = TimeZone(identifier: "UTC")!
        let noon = Self.calendar(utc).date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
        return DigestDay(containing: noon.addingTimeInterval(Double(days) * 86_400), timeZone: utc)
    }
}
