import Foundation
import Testing
import Vault

/// `--since` and `--until` (``DateBound``): dates, periods and phrases against a fixed clock.
@Suite struct DateBoundTests {
    static let zone = TimeZone(identifier: "Europe/Zurich")!
    static var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c
    }
    /// Tuesday 2026-11-24 10:30 in Zurich.
    static let now = date(2026, 11, 24, 10, 30)

    static func date(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0, _ min: Int = 0, _ s: Int = 0) -> Date {
        calendar.date(from: DateComponents(year: y, month: m, day: d, hour: h, minute: min, second: s))!
    }
    static func end(_ y: Int, _ m: Int, _ d: Int) -> Date { date(y, m, d, 23, 59, 59).addingTimeInterval(0.999) }

    func parse(_ text: String, end: Bool = false) -> Date? {
        try? DateBound.parse(text, timeZone: Self.zone, end: end, now: Self.now)
    }

    func close(_ a: Date?, _ b: Date) -> Bool {
        guard let a else { return false }
        return abs(a.timeIntervalSince(b)) < 0.0005
    }

    @Test func isoDates() {
        #expect(close(parse("2026-11-22"), Self.date(2026, 11, 22)))
        #expect(close(parse("2026-11-22", end: true), Self.end(2026, 11, 22)))
        // A date and time is an instant, the same for either end (entries are dated to the minute).
        #expect(close(parse("2026-11-22T14:03"), Self.date(2026, 11, 22, 14, 3)))
        #expect(close(parse("2026-11-22 14:03", end: true), Self.date(2026, 11, 22, 14, 3)))
        #expect(close(parse("2026-11-22T14:03:05"), Self.date(2026, 11, 22, 14, 3)))
        #expect(close(parse("2026-11-22T14:03+00:00"), Self.date(2026, 11, 22, 15, 3)))
        #expect(close(parse("2026-02"), Self.date(2026, 2, 1)))
        #expect(close(parse("2026-02", end: true), Self.end(2026, 2, 28)))
        #expect(close(parse("2025", end: true), Self.end(2025, 12, 31)))
    }

    @Test func relativeAmounts() {
        #expect(close(parse("7d"), Self.date(2026, 11, 17, 10, 30)))
        #expect(close(parse("7d", end: true), Self.date(2026, 11, 17, 10, 30)))
        #expect(close(parse("2w"), Self.date(2026, 11, 10, 10, 30)))
        #expect(close(parse("1m"), Self.date(2026, 10, 24, 10, 30)))
        #expect(close(parse("1y"), Self.date(2025, 11, 24, 10, 30)))
    }

    @Test func namedPeriods() {
        #expect(close(parse("today"), Self.date(2026, 11, 24)))
        #expect(close(parse(" Today ", end: true), Self.end(2026, 11, 24)))
        #expect(close(parse("yesterday"), Self.date(2026, 11, 23)))
        #expect(close(parse("yesterday", end: true), Self.end(2026, 11, 23)))
        // Weeks start on Monday: last week is Monday 16 to Sunday 22 November.
        #expect(close(parse("last week"), Self.date(2026, 11, 16)))
        #expect(close(parse("last week", end: true), Self.end(2026, 11, 22)))
        #expect(close(parse("this week"), Self.date(2026, 11, 23)))
        // October 2026 crosses the end of summer time (25 October).
        #expect(close(parse("last month"), Self.date(2026, 10, 1)))
        #expect(close(parse("last month", end: true), Self.end(2026, 10, 31)))
        #expect(close(parse("last year"), Self.date(2025, 1, 1)))
        #expect(close(parse("last year", end: true), Self.end(2025, 12, 31)))
    }

    @Test(arguments: ["", "banana", "2026-13", "2026-02-30", "2026-11-22T25:00", "7x", "d", "2026-1-5", "last decade", "2026-", "-7d"])
    func rejectsNonsense(text: String) {
        #expect(throws: VaultError.self) { try DateBound.parse(text, timeZone: Self.zone, end: false, now: Self.now) }
    }
}
