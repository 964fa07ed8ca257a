/// Formats and parses the times Vigil prints: ISO 8601 UTC, without Foundation.
public enum UTCTime {
    /// `2025-06-06T17:30:03Z`, with milliseconds when the time has a fraction.
    public static func iso(_ seconds: Double) -> String {
        let whole = Int64(seconds.rounded(.down))
        let millis = Int((seconds - Double(whole)) * 1000)
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = Int(whole - days * 86_400)
        let (y, m, d) = civil(days: days)
        var s =
            "\(y)-\(two(m))-\(two(d))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        if millis > 0 { s += "." + String(String(millis + 1000).dropFirst()) }
        return s + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff...]Z`; nil otherwise.
    public static func parse(_ text: String) -> Double? {
        let c = Array(text.utf8)
        guard c.count >= 20, c.last == UInt8(ascii: "Z"), c[4] == 45, c[7] == 45, c[10] == 84, c[13] == 58, c[16] == 58
        else {
            return nil
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
            let mi = number(14..<16), let s = number(17..<19), (1...12).contains(mo), (1...31).contains(d), h < 24,
            mi < 60,
            s < 61
        else { return nil }
        var fraction = 0.0
        if c.count > 20 {
            guard c[19] == 46, let f = number(20..<(c.count - 1)) else { return nil }
            fraction = Double(f) / pow10(c.count - 21)
        }
        return Double(days(year: y, month: mo, day: d) * 86_400 + Int64(h * 3600 + mi * 60 + s)) + fraction
    }

    static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's algorithm).
    static func civil(days: Int64) -> (Int64, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
