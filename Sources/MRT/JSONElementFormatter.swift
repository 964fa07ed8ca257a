import BGP

/// Writes one JSON object per element, one per line.
///
/// Field names follow bgpkit's `BgpElem` (`peer_ip`, `peer_asn`, `as_path`, `origin_asns`,
/// `next_hop`, `communities`, `atomic`, `aggr_asn`, `aggr_ip`) so existing scripts read it as is.
/// AS paths are given after the RFC 6793 AS4_PATH merge; addresses in RFC 5952 form.
public struct JSONElementFormatter {
    /// A formatter.
    public init() {}

    /// Appends the element's JSON object and a newline to `out`.
    public func format(_ e: RouteElement, into out: TextBuffer) {
        out.append("{\"type\":\"")
        out.append(string: e.kind.letter)
        out.append("\",\"elem_type\":\"")
        switch e.kind {
        case .ribEntry: out.append("RIB")
        case .announcement: out.append("ANNOUNCE")
        case .withdrawal: out.append("WITHDRAW")
        case .stateChange: out.append("STATE")
        }
        out.append("\",\"timestamp\":")
        out.appendDecimal(e.timestamp)
        out.append(UInt8(ascii: "."))
        out.appendPadded(e.microseconds, width: 6)
        out.append(",\"record\":\"")
        out.append(string: e.carrier.typeName)
        out.append("\",\"peer_ip\":\"")
        out.appendAddress(e.peerAddress)
        out.append("\",\"peer_asn\":")
        out.appendDecimal(e.peerASN)
        if e.kind == .stateChange {
            out.append(",\"old_state\":")
            out.appendDecimal(UInt32(e.oldState))
            out.append(",\"new_state\":")
            out.appendDecimal(UInt32(e.newState))
            out.append("}\n")
            return
        }
        out.append(",\"prefix\":\"")
        out.appendAddress(e.prefix.address)
        out.append(UInt8(ascii: "/"))
        out.appendDecimal(UInt32(e.prefix.length))
        out.append("\",\"path_id\":")
        if let id = e.pathID { out.appendDecimal(id) } else { out.append("null") }
        if e.kind == .withdrawal {
            out.append("}\n")
            return
        }
        let a = e.attributes
        out.append(",\"as_path\":")
        let path = JSONElementFormatter.effectivePath(a)
        if let path {
            out.append(UInt8(ascii: "\""))
            out.append(string: path.description)
            out.append(UInt8(ascii: "\""))
        } else {
            out.append("null")
        }
        out.append(",\"origin_asns\":[")
        for (i, asn) in (path?.originCandidates ?? []).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.appendDecimal(asn)
        }
        out.append("],\"origin\":")
        if let o = a.origin {
            out.append(UInt8(ascii: "\""))
            out.append(string: o.description)
            out.append(UInt8(ascii: "\""))
        } else {
            out.append("null")
        }
        out.append(",\"next_hop\":")
        if let nh = e.nextHop {
            out.append(UInt8(ascii: "\""))
            out.appendAddress(nh)
            out.append(UInt8(ascii: "\""))
        } else {
            out.append("null")
        }
        out.append(",\"local_pref\":")
        if let v = a.localPref { out.appendDecimal(v) } else { out.append("null") }
        out.append(",\"med\":")
        if let v = a.med { out.appendDecimal(v) } else { out.append("null") }
        out.append(",\"communities\":[")
        if let range = a.communities {
            var at = range.lowerBound
            var first = true
            while at + 4 <= range.upperBound {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                let v = a.bytes.u32(at)
                out.append(UInt8(ascii: "\""))
                out.appendDecimal(v >> 16)
                out.append(UInt8(ascii: ":"))
                out.appendDecimal(v & 0xFFFF)
                out.append(UInt8(ascii: "\""))
                at += 4
            }
        }
        out.append("],\"large_communities\":[")
        if let range = a.largeCommunities {
            var at = range.lowerBound
            var first = true
            while at + 12 <= range.upperBound {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(UInt8(ascii: "\""))
                out.appendDecimal(a.bytes.u32(at))
                out.append(UInt8(ascii: ":"))
                out.appendDecimal(a.bytes.u32(at + 4))
                out.append(UInt8(ascii: ":"))
                out.appendDecimal(a.bytes.u32(at + 8))
                out.append(UInt8(ascii: "\""))
                at += 12
            }
        }
        out.append("],\"atomic\":")
        out.append(a.atomicAggregate ? "true" : "false")
        var aggregator = a.aggregator
        if a.asnSize == 2, let agg = a.aggregator, agg.asn == 23456, let as4 = a.as4Aggregator { aggregator = as4 }
        out.append(",\"aggr_asn\":")
        if let agg = aggregator { out.appendDecimal(agg.asn) } else { out.append("null") }
        out.append(",\"aggr_ip\":")
        if let agg = aggregator {
            out.append(UInt8(ascii: "\""))
            out.appendIPv4(agg.address)
            out.append(UInt8(ascii: "\""))
        } else {
            out.append("null")
        }
        out.append("}\n")
    }

    /// The AS path with AS4_PATH merged in per RFC 6793, or nil when absent or malformed.
    static func effectivePath(_ a: PathAttributeView) -> ASPath? {
        guard let range = a.asPath,
            let path = try? ASPathView(bytes: a.bytes, range: range, asnSize: a.asnSize).decode()
        else { return nil }
        guard a.useAS4Path, let as4Range = a.as4Path,
            let as4 = try? ASPathView(bytes: a.bytes, range: as4Range, asnSize: 4).decode()
        else { return path }
        return path.merged(withAS4Path: as4)
    }
}
