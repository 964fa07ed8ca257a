import BGP

/// Formats and parses the times Vigil prints: ISO 8601 UTC, without Foundation.
public enum UTCTime {
    /// `2025-06-06T17:30:03Z`, with milliseconds when the time has a fraction.
    public static func iso(_ seconds: Double) -> String {
        let whole = Int64(seconds.rounded(.down))
        let millis = Int((seconds - Double(whole)) * 1000)
        let c = CivilTime(unix: whole)
        var s = "\(c.year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
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
        return Double(CivilTime.days(year: y, month: mo, day: d) * 86_400 + Int64(h * 3600 + mi * 60 + s)) + fraction
    }

    static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
