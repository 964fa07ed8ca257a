import BGP

/// Writes elements as `bgpdump -m` (unix times, full attributes) or `bgpdump -M` (readable times,
/// path and origin only) lines, byte for byte.
///
/// bgpdump's one-line format is the lingua franca of BGP scripts; matching it exactly lets users
/// swap Vigil in. Its quirks are reproduced on purpose and listed where they occur; the few places
/// where bgpdump 1.6.2 prints wrong data (see README "Conformance") are printed correctly instead.
public final class BGPDumpFormatter {
    /// `-m` or `-M`.
    public enum Mode: Sendable {
        case machine
        case human
    }

    /// The output mode.
    public let mode: Mode
    /// The attribute part of the last announcement line, reused for the other prefixes of the same
    /// UPDATE (they share their attributes, so the text is the same).
    private let suffix = TextBuffer(capacity: 1024)
    private var suffixKey: SuffixKey?

    private struct SuffixKey: Equatable {
        var record: MRTRecordHeader
        var attributes: UnsafeRawPointer?
        var length: Int
        var nextHop: IPAddress?
        var multiprotocol: Bool
        var family: IPAddress.Family
    }

    /// A formatter for `mode`.
    public init(mode: Mode) { self.mode = mode }

    /// The MRT record header that holds `e` (or, for BMP, would hold it): bgpdump's line names it.
    @inline(__always)
    static func header(of e: RouteElement) -> MRTRecordHeader {
        MRTRecordHeader(
            timestamp: e.timestamp, microseconds: e.microseconds, type: e.carrier.mrtType,
            subtype: e.carrier.mrtSubtype, length: 0, offset: e.carrier.offset)
    }

    /// Forgets cached text; call between inputs.
    public func reset() { suffixKey = nil }

    /// Whether bgpdump prints anything for this element: it skips multicast and generic RIB records.
    public static func prints(_ e: RouteElement) -> Bool {
        if e.carrier.mrtType == MRTType.tableDumpV2 {
            let s = e.carrier.mrtSubtype
            return s == 2 || s == 4 || s == 8 || s == 10
        }
        return true
    }

    /// Appends the element's line (with newline) to `out`; appends nothing for elements bgpdump skips.
    public func format(_ e: RouteElement, into out: TextBuffer) {
        guard BGPDumpFormatter.prints(e) else { return }
        let r = Self.header(of: e)
        // bgpdump shows path identifiers only for the ADD-PATH subtypes (RFC 8050).
        let addPath =
            (r.type == MRTType.tableDumpV2 && r.subtype >= 8)
            || ((r.type == MRTType.bgp4mp || r.type == MRTType.bgp4mpET) && r.subtype >= 8)
        let pathID: UInt32? = addPath ? (e.pathID ?? 0) : nil
        // Record format name.
        switch r.type {
        case MRTType.tableDumpV2: out.append(addPath ? "TABLE_DUMP2_AP|" : "TABLE_DUMP2|")
        case MRTType.tableDump: out.append("TABLE_DUMP|")
        case MRTType.bgp: out.append("BGP|")
        default:
            let et = r.type == MRTType.bgp4mpET
            if e.kind == .stateChange {
                out.append(et ? "BGP4MP_ET|" : "BGP4MP|")
            } else {
                let s = r.subtype
                let local = s == 6 || s == 7 || s == 10 || s == 11
                let ap = s >= 8
                out.append(et ? "BGP4MP_ET" : "BGP4MP")
                if local { out.append("_LOCAL") }
                if ap { out.append("_AP") }
                out.append(UInt8(ascii: "|"))
            }
        }
        appendTime(r, into: out)
        switch e.kind {
        case .ribEntry: out.append("|B|")
        case .announcement: out.append("|A|")
        case .withdrawal: out.append("|W|")
        case .stateChange: out.append("|STATE|")
        }
        BGPDumpFormatter.appendAddress(e.peerAddress, into: out)
        out.append(UInt8(ascii: "|"))
        out.appendDecimal(e.peerASN)
        out.append(UInt8(ascii: "|"))
        if e.kind == .stateChange {
            out.appendDecimal(UInt32(e.oldState))
            out.append(UInt8(ascii: "|"))
            out.appendDecimal(UInt32(e.newState))
            out.append(10)
            return
        }
        BGPDumpFormatter.appendAddress(e.prefix.address, into: out)
        out.append(UInt8(ascii: "/"))
        out.appendDecimal(UInt32(e.prefix.length))
        if e.kind == .withdrawal {
            if let id = pathID {
                out.append(UInt8(ascii: "|"))
                out.appendDecimal(id)
            }
            out.append(10)
            return
        }
        out.append(UInt8(ascii: "|"))
        if let id = pathID {
            out.appendDecimal(id)
            out.append(UInt8(ascii: "|"))
        }
        if e.kind == .ribEntry {
            appendAttributes(e, into: out)
            return
        }
        let key = SuffixKey(
            record: r, attributes: e.attributes.bytes.baseAddress, length: e.attributes.bytes.count,
            nextHop: e.nextHop, multiprotocol: e.viaMultiprotocol, family: e.prefix.family)
        if key != suffixKey {
            suffix.removeAll()
            appendAttributes(e, into: suffix)
            suffixKey = key
        }
        suffix.withBytes { out.append($0) }
    }

    /// Writes `aspath|origin` (-M) or `aspath|origin|nexthop|pref|med|communities|AG|aggregator|` (-m)
    /// and the newline.
    private func appendAttributes(_ e: RouteElement, into out: TextBuffer) {
        let r = Self.header(of: e)
        let a = e.attributes
        appendASPath(a, into: out)
        out.append(UInt8(ascii: "|"))
        switch a.origin {
        case .igp: out.append("IGP")
        case .egp: out.append("EGP")
        default: out.append("INCOMPLETE")
        }
        if mode == .human {
            out.append(10)
            return
        }
        out.append(UInt8(ascii: "|"))
        appendNextHop(e, into: out)
        out.append(UInt8(ascii: "|"))
        // bgpdump prints LOCAL_PREF and MED of multiprotocol IPv4 routes with %d.
        let signed = e.viaMultiprotocol && e.prefix.family == .v4 && e.kind == .announcement
        if signed {
            out.appendDecimal(signed: Int32(bitPattern: a.localPref ?? 0))
            out.append(UInt8(ascii: "|"))
            out.appendDecimal(signed: Int32(bitPattern: a.med ?? 0))
        } else {
            out.appendDecimal(a.localPref ?? 0)
            out.append(UInt8(ascii: "|"))
            out.appendDecimal(a.med ?? 0)
        }
        // For the deprecated type 5 records bgpdump leaves out the separator before the communities.
        if r.type != MRTType.bgp { out.append(UInt8(ascii: "|")) }
        if let range = a.communities {
            BGPDumpFormatter.appendCommunities(a.bytes, range, into: out)
        }
        out.append(a.atomicAggregate ? "|AG|" : "|NAG|")
        if let agg = bgpdumpAggregator(a), agg.address != 0xFFFF_FFFF {
            out.appendDecimal(agg.asn)
            out.append(UInt8(ascii: " "))
            out.appendIPv4(agg.address)
        }
        out.append("|\n")
    }

    // MARK: Fields

    private func appendTime(_ r: MRTRecordHeader, into out: TextBuffer) {
        if mode == .machine {
            out.appendDecimal(r.timestamp)
        } else {
            let c = CivilTime(unix: Int64(r.timestamp))
            out.appendPadded(UInt32(c.month), width: 2)
            out.append(UInt8(ascii: "/"))
            out.appendPadded(UInt32(c.day), width: 2)
            out.append(UInt8(ascii: "/"))
            out.appendPadded(UInt32(c.year % 100), width: 2)
            out.append(UInt8(ascii: " "))
            out.appendPadded(UInt32(c.hour), width: 2)
            out.append(UInt8(ascii: ":"))
            out.appendPadded(UInt32(c.minute), width: 2)
            out.append(UInt8(ascii: ":"))
            out.appendPadded(UInt32(c.second), width: 2)
        }
        if r.type == MRTType.bgp4mpET {
            out.append(UInt8(ascii: "."))
            out.appendPadded(r.microseconds, width: 6)
        }
    }

    private func appendNextHop(_ e: RouteElement, into out: TextBuffer) {
        let a = e.attributes
        if e.kind == .ribEntry {
            // bgpdump reads a RIB entry's MP_REACH_NLRI as an IPv6 next hop: abbreviated (first byte is
            // the next-hop length) or, in the full form, only for AFI 2 / SAFI 1.
            if let range = a.mpReach, !range.isEmpty {
                let b = a.bytes
                let first = b[range.lowerBound]
                if first != 0 {
                    BGPDumpFormatter.appendIPv6(
                        BGPDumpFormatter.zeroFilledV6(b, range.lowerBound + 1, range), into: out)
                    return
                }
                if range.count >= 3 && b.u16(range.lowerBound) == 2 && b[range.lowerBound + 2] == 1 {
                    BGPDumpFormatter.appendIPv6(
                        BGPDumpFormatter.zeroFilledV6(b, range.lowerBound + 4, range), into: out)
                    return
                }
            }
            out.appendIPv4(a.nextHop ?? 0xFFFF_FFFF)
            return
        }
        if e.viaMultiprotocol {
            if let nh = e.nextHop {
                BGPDumpFormatter.appendAddress(nh, into: out)
            } else {
                BGPDumpFormatter.appendAddress(.zero(e.prefix.family), into: out)
            }
            return
        }
        out.appendIPv4(a.nextHop ?? 0xFFFF_FFFF)
    }

    static func zeroFilledV6(_ b: UnsafeRawBufferPointer, _ at: Int, _ range: Range<Int>) -> IPAddress {
        IPAddress(family: .v6, bytes: b, offset: at, count: max(0, min(16, range.upperBound - at)))
    }

    private func bgpdumpAggregator(_ a: PathAttributeView) -> (asn: UInt32, address: UInt32)? {
        if a.asnSize == 2, let agg = a.aggregator, agg.asn == 23456, let as4 = a.as4Aggregator { return as4 }
        return a.aggregator
    }

    static func appendCommunities(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, into out: TextBuffer) {
        var first = true
        var at = range.lowerBound
        while at + 4 <= range.upperBound {
            if !first { out.append(UInt8(ascii: " ")) }
            first = false
            let v = b.u32(at)
            switch v {
            case 0xFFFF_FF01: out.append("no-export")
            case 0xFFFF_FF02: out.append("no-advertise")
            case 0xFFFF_FF03: out.append("local-AS")
            default:
                out.appendDecimal(v >> 16)
                out.append(UInt8(ascii: ":"))
                out.appendDecimal(v & 0xFFFF)
            }
            at += 4
        }
    }

    // MARK: Addresses as bgpdump writes them

    /// IPv4 dotted quad, or IPv6 in bgpdump's own style (see `appendIPv6`).
    static func appendAddress(_ a: IPAddress, into out: TextBuffer) {
        if a.family == .v4 {
            out.appendIPv4(a.v4)
        } else {
            appendIPv6(a, into: out)
        }
    }

    /// bgpdump's IPv6 text: like RFC 5952 but a single zero group is also shortened to `::`, and
    /// IPv4-compatible addresses (`::a.b.c.d`, last word above 1) keep a dotted tail.
    static func appendIPv6(_ a: IPAddress, into out: TextBuffer) {
        if a.high == 0 && (a.low >> 32) == 0xFFFF {
            out.append("::ffff:")
            out.appendIPv4(UInt32(truncatingIfNeeded: a.low))
            return
        }
        if a.high == 0 && (a.low >> 32) == 0 && UInt32(truncatingIfNeeded: a.low) > 1 {
            out.append("::")
            out.appendIPv4(UInt32(truncatingIfNeeded: a.low))
            return
        }
        let (bestStart, bestLen) = a.longestZeroRun(minimum: 1)
        var i = 0
        while i < 8 {
            if i == bestStart {
                if i == 0 { out.append(UInt8(ascii: ":")) }
                out.append(UInt8(ascii: ":"))
                i += bestLen
                continue
            }
            out.appendHex16(a.group(i))
            if i != 7 { out.append(UInt8(ascii: ":")) }
            i += 1
        }
    }
}
