/// Formats and parses the times Vigil prints and reads, without Foundation.
///
/// Every time that comes from outside (an API or page parameter, a RIS Live frame, a BMP header, a CLI
/// option, a targets file) goes through `read(_:)` or `checked(_:)`: total functions that accept years
/// 1970 to 9999 only and at most nine fraction digits, and say what is wrong otherwise. Nothing from
/// outside can then reach a conversion that traps (`Int64(1e19)`) or a loop over an absurd span of time.
public enum UTCTime {
    /// The first second Vigil accepts: 1970-01-01T00:00:00Z.
    public static let earliest = 0.0
    /// The first second it refuses: 10000-01-01T00:00:00Z (253,402,300,800 s).
    public static let end = 253_402_300_800.0
    /// The most fraction digits an ISO time may have (nanoseconds).
    public static let maxFractionDigits = 9

    /// `2025-06-06T17:30:03Z`, with milliseconds when the time has a fraction. Total: a time outside the
    /// accepted range (or not a number) is printed clamped to it, never trapped on.
    public static func iso(_ seconds: Double) -> String {
        let t = seconds.isNaN ? 0 : min(max(seconds, earliest), end - 0.001)
        let whole = Int64(t.rounded(.down))
        let millis = min(999, Int((t - Double(whole)) * 1000))
        let c = CivilTime(unix: whole)
        var s = "\(c.year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
        if millis > 0 { s += "." + String(String(millis + 1000).dropFirst()) }
        return s + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fffffffff]Z` (years 1970 to 9999, at most nine fraction digits);
    /// nil otherwise.
    public static func parse(_ text: String) -> Double? {
        if case .success(let t) = parseISO(Array(text.utf8)) { return t }
        return nil
    }

    /// Why a time from outside was refused.
    public struct InputError: Error, Equatable, Sendable, CustomStringConvertible {
        /// What was wrong, in words (the text itself is not repeated: the caller names the field).
        public var reason: String
        public var description: String { reason }
    }

    /// Reads a time given as ISO 8601 UTC (`2025-06-06T17:30:03Z`, `.fffffffff` allowed; also to the
    /// minute, `2025-06-06T17:30Z`, as people write a range) or as seconds
    /// since the epoch (`1749231003`, `1749231003.5`). Years 1970 to 9999 only; anything else is an error
    /// that says why. Total: never traps, whatever the text.
    public static func read(_ text: String) -> Result<Double, InputError> {
        var c = Array(text.utf8)
        guard !c.isEmpty else { return .failure(InputError(reason: "is empty")) }
        guard c.count <= 64 else { return .failure(InputError(reason: "is longer than 64 characters")) }
        if c.count == 17, c[16] == UInt8(ascii: "Z"), c[13] == UInt8(ascii: ":") {
            c.insert(contentsOf: Array(":00".utf8), at: 16)
        }
        if c.count >= 5, c[4] == UInt8(ascii: "-") { return parseISO(c) }
        return parseSeconds(c)
    }

    /// `seconds` when it is a finite time from 1970 to 9999; an error otherwise. For times that arrive as
    /// numbers (RIS Live's `timestamp`, a BMP header).
    public static func checked(_ seconds: Double) -> Result<Double, InputError> {
        guard seconds.isFinite else { return .failure(InputError(reason: "is not a finite number")) }
        guard seconds >= earliest else { return .failure(InputError(reason: "is before 1970")) }
        guard seconds < end else { return .failure(InputError(reason: "is after the year 9999")) }
        return .success(seconds)
    }

    /// Decimal seconds since the epoch: digits, optionally a point and at most nine more digits.
    static func parseSeconds(_ c: [UInt8]) -> Result<Double, InputError> {
        var whole: Int64 = 0
        var i = 0
        let bad = InputError(
            reason: "must be an ISO 8601 UTC time such as 2025-06-06T17:30:03Z or seconds since 1970")
        if i < c.count, c[i] == UInt8(ascii: "-") { return .failure(InputError(reason: "is before 1970")) }
        let digitsStart = i
        while i < c.count, c[i] &- 48 < 10 {
            // 12 digits already reach past the year 9999: stop before the integer could overflow.
            guard i - digitsStart < 12 else { return .failure(InputError(reason: "is after the year 9999")) }
            whole = whole * 10 + Int64(c[i] &- 48)
            i += 1
        }
        guard i > digitsStart else { return .failure(bad) }
        var fraction = 0.0
        if i < c.count, c[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 1.0
            var n = 0
            while i < c.count, c[i] &- 48 < 10 {
                n += 1
                guard n <= maxFractionDigits else {
                    return .failure(InputError(reason: "has more than \(maxFractionDigits) fraction digits"))
                }
                scale /= 10
                fraction += Double(c[i] &- 48) * scale
                i += 1
            }
            guard n > 0 else { return .failure(bad) }
        }
        guard i == c.count else { return .failure(bad) }
        return checked(Double(whole) + fraction)
    }

    /// The ISO form, field by field.
    static func parseISO(_ c: [UInt8]) -> Result<Double, InputError> {
        let shape = InputError(reason: "must look like 2025-06-06T17:30:03Z (UTC, optional fraction of a second)")
        guard c.count >= 20, c.count <= 30, c.last == UInt8(ascii: "Z"), c[4] == 45, c[7] == 45,
            c[10] == 84 || c[10] == 116, c[13] == 58, c[16] == 58
        else {
            if c.count > 30 {
                return .failure(InputError(reason: "has more than \(maxFractionDigits) fraction digits"))
            }
            return .failure(shape)
        }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard c[i] >= 48, c[i] <= 57 else { return nil }
                n = n * 10 + Int(c[i] - 48)
            }
            return n
        }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
            let mi = number(14..<16), let s = number(17..<19)
        else { return .failure(shape) }
        guard y >= 1970 else { return .failure(InputError(reason: "is before 1970")) }
        guard (1...12).contains(mo), (1...daysIn(month: mo, year: y)).contains(d), h < 24, mi < 60, s < 61 else {
            return .failure(InputError(reason: "is not a valid date and time"))
        }
        var fraction = 0.0
        if c.count > 20 {
            guard c[19] == 46, c.count > 21 else { return .failure(shape) }
            guard c.count - 21 <= maxFractionDigits else {
                return .failure(InputError(reason: "has more than \(maxFractionDigits) fraction digits"))
            }
            guard let f = number(20..<(c.count - 1)) else { return .failure(shape) }
            fraction = Double(f) / pow10(c.count - 21)
        }
        let whole = CivilTime.days(year: y, month: mo, day: d) * 86_400 + Int64(h * 3600 + mi * 60 + s)
        // A leap second on the last day (9999-12-31T23:59:60Z) is past the end: check, not trust, the sum.
        return checked(Double(whole) + fraction)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
