import BGP

extension BGPDumpFormatter {
    /// bgpdump's AS path text, including its AS4_PATH merge for 2-byte sessions.
    ///
    /// Like RFC 6793, bgpdump ignores AS4_PATH when AGGREGATOR names a real AS or when AS4_PATH is
    /// longer than AS_PATH. Unlike the RFC it counts confederation segments, and when it must keep
    /// leading ASes from AS_PATH it takes them from its first segment only. Both are reproduced.
    func appendASPath(_ a: PathAttributeView, into out: TextBuffer) {
        guard let asPath = a.asPath else { return }
        let b = a.bytes
        guard a.asnSize == 2, let as4 = a.as4Path else {
            BGPDumpFormatter.renderPath(b, asPath, asnSize: a.asnSize, into: out)
            return
        }
        if a.aggregator != nil, a.as4Aggregator != nil, let agg = a.aggregator, agg.asn != 23456 {
            BGPDumpFormatter.renderPath(b, asPath, asnSize: 2, into: out)
            return
        }
        let oldCount = BGPDumpFormatter.count(b, asPath, asnSize: 2)
        let newCount = BGPDumpFormatter.count(b, as4, asnSize: 4)
        guard oldCount >= newCount else {
            BGPDumpFormatter.renderPath(b, asPath, asnSize: 2, into: out)
            return
        }
        // Build the merged path in 4-byte form, then render it.
        var merged: [UInt8] = []
        let target = oldCount - newCount
        var mergedCount = 0
        if target > 0, asPath.count >= 2 {
            let type = b[asPath.lowerBound]
            let length = Int(b[asPath.lowerBound + 1])
            let available = min(length, (asPath.count - 2) / 2)
            while mergedCount < target && length > 0 {
                var take = length
                if type == 1 || type == 4 {
                    mergedCount += 1
                } else {
                    mergedCount += length
                    if mergedCount > target { take -= mergedCount - target }
                }
                merged.append(type)
                merged.append(UInt8(take))
                for i in 0..<take {
                    let v: UInt16 = i < available ? b.u16(asPath.lowerBound + 2 + 2 * i) : 0
                    merged.append(0)
                    merged.append(0)
                    merged.append(UInt8(v >> 8))
                    merged.append(UInt8(v & 0xFF))
                }
            }
        }
        merged.append(contentsOf: b[as4])
        merged.withUnsafeBytes { m in
            BGPDumpFormatter.renderPath(m, 0..<m.count, asnSize: 4, into: out)
        }
    }

    /// bgpdump's path length: sequences count their ASes, sets one, confederation segments too; 0 when malformed.
    static func count(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, asnSize: Int) -> Int {
        var at = range.lowerBound
        var total = 0
        while at < range.upperBound {
            guard range.upperBound - at >= 2 else { return 0 }
            let type = b[at]
            let length = Int(b[at + 1])
            guard type >= 1 && type <= 4, at + 2 + length * asnSize <= range.upperBound else { return 0 }
            total += (type == 1 || type == 4) ? 1 : length
            at += 2 + length * asnSize
        }
        return total
    }

    /// Renders raw path segments as bgpdump does; a malformed path prints `! Error !`.
    static func renderPath(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, asnSize: Int, into out: TextBuffer) {
        let mark = out.count
        var at = range.lowerBound
        var previous: UInt8 = 2
        var space = false
        var last: UInt8 = 0
        var any = false
        while at < range.upperBound {
            guard range.upperBound - at >= 2 else {
                out.truncate(to: mark)
                out.append("! Error !")
                return
            }
            let type = b[at]
            let length = Int(b[at + 1])
            guard type >= 1 && type <= 4, at + 2 + length * asnSize <= range.upperBound else {
                out.truncate(to: mark)
                out.append("! Error !")
                return
            }
            if previous != 2 { out.append(closing(previous)) }
            if space { out.append(UInt8(ascii: " ")) }
            if type != 2 { out.append(opening(type)) }
            space = false
            for i in 0..<length {
                if space {
                    out.append(type == 1 || type == 4 ? UInt8(ascii: ",") : UInt8(ascii: " "))
                } else {
                    space = true
                }
                let p = at + 2 + i * asnSize
                out.appendDecimal(asnSize == 4 ? b.u32(p) : UInt32(b.u16(p)))
            }
            previous = type
            last = type
            any = true
            at += 2 + length * asnSize
        }
        if any && last != 2 { out.append(closing(last)) }
    }

    private static func opening(_ type: UInt8) -> UInt8 {
        switch type {
        case 1: return UInt8(ascii: "{")
        case 3: return UInt8(ascii: "(")
        case 4: return UInt8(ascii: "[")
        default: return UInt8(ascii: " ")
        }
    }

    private static func closing(_ type: UInt8) -> UInt8 {
        switch type {
        case 1: return UInt8(ascii: "}")
        case 3: return UInt8(ascii: ")")
        case 4: return UInt8(ascii: "]")
        default: return UInt8(ascii: " ")
        }
    }
}
