import BGP
import GRDB
import GRDBSQLite
import Vigil

extension History {
    /// A target's signals from `from` to `to` (in bins of `bin` seconds, nil: as stored) as the API's JSON
    /// array: `[{"start":..., "seconds":..., "prefixes_up":..., "prefixes":..., "voting_peers":...,
    /// "updates":..., "visibility":{...}, "upstreams":{...}, "dark_share":..., "origins":{...}}, ...]`: each
    /// bin byte for byte as `SignalBin.jsonLine` writes it, less its `type` and `target`.
    ///
    /// Written straight from SQLite's rows into bytes (the stored JSON columns copied as they are), since a
    /// week of one-minute bins is 10,080 objects and the dashboard asks for it often.
    ///
    /// At most `limit` bins: nil when the range holds more (the caller asks for a wider bin instead of
    /// building an answer of hundreds of megabytes).
    public func signalsJSON(target: String, from: Double, to: Double, bin: Double? = nil, limit: Int = .max)
        throws(StoreError) -> [UInt8]?
    {
        var (query, values) = Self.signalsQuery(target: target, from: from, to: to, bin: bin)
        if limit < .max {
            query += " LIMIT ?"
            values += [limit + 1]
        }
        let (sql, arguments) = (query, values)
        return try read { db in
            let statement = try db.cachedStatement(sql: sql)
            try statement.setArguments(arguments)
            let s = statement.sqliteStatement
            defer { sqlite3_reset(s) }
            var out = JSONBytes()
            // About 230 bytes per one-minute bin of a small target: one allocation, no regrowth.
            let expected = min(max((to - from) / max(bin ?? 60, 1), 0), Double(min(limit, 1_000_000)))
            out.bytes.reserveCapacity(Int(expected) * 240 + 64)
            out.bytes.append(UInt8(ascii: "["))
            var first = true
            var rows = 0
            while true {
                let rc = sqlite3_step(s)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else {
                    throw StoreError("reading signals: " + String(cString: sqlite3_errmsg(db.sqliteConnection)))
                }
                rows += 1
                if rows > limit { return nil }
                if !first { out.bytes.append(UInt8(ascii: ",")) }
                first = false
                out.append(#"{"start":""#)
                out.appendISO(sqlite3_column_double(s, 0))
                out.append(#"","seconds":"#)
                out.append(Int64(sqlite3_column_double(s, 1)))
                out.append(#","prefixes_up":"#)
                out.append(sqlite3_column_int64(s, 2))
                out.append(#","prefixes":"#)
                out.append(sqlite3_column_int64(s, 3))
                out.append(#","voting_peers":"#)
                out.append(sqlite3_column_int64(s, 4))
                out.append(#","updates":"#)
                out.append(sqlite3_column_int64(s, 5))
                out.append(#","visibility":"#)
                out.appendColumn(s, 7)
                out.append(#","upstreams":"#)
                out.appendColumn(s, 6)
                out.append(#","dark_share":"#)
                out.appendShare(sqlite3_column_double(s, 8))
                out.append(#","origins":"#)
                out.appendColumn(s, 9)
                out.bytes.append(UInt8(ascii: "}"))
            }
            out.bytes.append(UInt8(ascii: "]"))
            return out.bytes
        }
    }
}

/// JSON text built as bytes, with the few writers the signals answer needs.
struct JSONBytes {
    var bytes: [UInt8] = []
    /// The day whose "YYYY-MM-DDT" prefix is cached: consecutive bins share it.
    private var day = Int64.min
    private var dayPrefix: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ n: Int64) {
        if n < 0 { bytes.append(UInt8(ascii: "-")) }
        var v = n.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        } while v > 0
        bytes[start...].reverse()
    }

    /// A share between 0 and 1, clamped, written as `JSONObject.add(_:_:Double)` writes it (three decimals,
    /// Swift's shortest form: `0.0`, `0.093`, `1.0`), so that the API's bins and `SignalBin.jsonLine` are
    /// byte for byte the same (`SignalsJSONTests`).
    mutating func appendShare(_ value: Double) {
        let n = Int64(((value.isFinite ? min(max(value, 0), 1) : 0) * 1000).rounded())
        if n == 0 || n == 1000 { return append(n == 0 ? "0.0" : "1.0") }
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: 3)
        var v = n
        for i in (0..<3).reversed() {
            digits[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        append("0.")
        bytes.append(contentsOf: digits)
    }

    /// A column's text (the stored JSON objects), or `{}` when NULL.
    mutating func appendColumn(_ s: OpaquePointer, _ column: Int32) {
        guard let text = sqlite3_column_text(s, column) else { return append("{}") }
        bytes.append(contentsOf: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(s, column))))
    }

    /// A time as `UTCTime.iso` writes it: `YYYY-MM-DDTHH:MM:SS[.mmm]Z`.
    mutating func appendISO(_ seconds: Double) {
        let whole = Int64(seconds.rounded(.down))
        let millis = Int((seconds - Double(whole)) * 1000)
        let d = whole >= 0 ? whole / 86400 : (whole - 86399) / 86400
        if d != day {
            day = d
            dayPrefix = Array(UTCTime.iso(Double(d * 86400)).utf8.prefix(11))
        }
        bytes.append(contentsOf: dayPrefix)
        let s = Int(whole - d * 86400)
        two(s / 3600)
        bytes.append(UInt8(ascii: ":"))
        two(s % 3600 / 60)
        bytes.append(UInt8(ascii: ":"))
        two(s % 60)
        if millis > 0 {
            bytes.append(UInt8(ascii: "."))
            bytes.append(UInt8(ascii: "0") + UInt8(millis / 100))
            two(millis % 100)
        }
        bytes.append(UInt8(ascii: "Z"))
    }

    private mutating func two(_ v: Int) {
        bytes.append(UInt8(ascii: "0") + UInt8(v / 10))
        bytes.append(UInt8(ascii: "0") + UInt8(v % 10))
    }
}
