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
    public func format(_ e: MRTElement, into out: inout [UInt8]) {
        out.appendText("{\"type\":\"")
        out.append(contentsOf: Array(e.kind.letter.utf8))
        out.appendText("\",\"elem_type\":\"")
        switch e.kind {
        case .ribEntry: out.appendText("RIB")
        case .announcement: out.appendText("ANNOUNCE")
        case .withdrawal: out.appendText("WITHDRAW")
        case .stateChange: out.appendText("STATE")
        }
        out.appendText("\",\"timestamp\":")
        out.appendDecimal(e.record.timestamp)
        out.append(UInt8(ascii: "."))
        out.appendPadded(e.record.microseconds, width: 6)
        out.appendText(",\"record\":\"")
        out.append(contentsOf: Array(e.record.typeName.utf8))
        out.appendText("\",\"peer_ip\":\"")
        e.peerAddress.appendText(to: &out)
        out.appendText("\",\"peer_asn\":")
        out.appendDecimal(e.peerASN)
        if e.kind == .stateChange {
            out.appendText(",\"old_state\":")
            out.appendDecimal(UInt32(e.oldState))
            out.appendText(",\"new_state\":")
            out.appendDecimal(UInt32(e.newState))
            out.appendText("}\n")
            return
        }
        out.appendText(",\"prefix\":\"")
        e.prefix.address.appendText(to: &out)
        out.append(UInt8(ascii: "/"))
        out.appendDecimal(UInt32(e.prefix.length))
        out.appendText("\",\"path_id\":")
        if let id = e.pathID { out.appendDecimal(id) } else { out.appendText("null") }
        if e.kind == .withdrawal {
            out.appendText("}\n")
            return
        }
        let a = e.attributes
        out.appendText(",\"as_path\":")
        let path = JSONElementFormatter.effectivePath(a)
        if let path {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: Array(path.description.utf8))
            out.append(UInt8(ascii: "\""))
        } else {
            out.appendText("null")
        }
        out.appendText(",\"origin_asns\":[")
        for (i, asn) in (path?.originCandidates ?? []).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.appendDecimal(asn)
        }
        out.appendText("],\"origin\":")
        if let o = a.origin {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: Array(o.description.utf8))
            out.append(UInt8(ascii: "\""))
        } else {
            out.appendText("null")
        }
        out.appendText(",\"next_hop\":")
        if let nh = e.nextHop {
            out.append(UInt8(ascii: "\""))
            nh.appendText(to: &out)
            out.append(UInt8(ascii: "\""))
        } else {
            out.appendText("null")
        }
        out.appendText(",\"local_pref\":")
        if let v = a.localPref { out.appendDecimal(v) } else { out.appendText("null") }
        out.appendText(",\"med\":")
        if let v = a.med { out.appendDecimal(v) } else { out.appendText("null") }
        out.appendText(",\"communities\":[")
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
        out.appendText("],\"large_communities\":[")
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
        out.appendText("],\"atomic\":")
        out.appendText(a.atomicAggregate ? "true" : "false")
        var aggregator = a.aggregator
        if a.asnSize == 2, let agg = a.aggregator, agg.asn == 23456, let as4 = a.as4Aggregator { aggregator = as4 }
        out.appendText(",\"aggr_asn\":")
        if let agg = aggregator { out.appendDecimal(agg.asn) } else { out.appendText("null") }
        out.appendText(",\"aggr_ip\":")
        if let agg = aggregator {
            out.append(UInt8(ascii: "\""))
            IPAddress.appendV4(agg.address, to: &out)
            out.append(UInt8(ascii: "\""))
        } else {
            out.appendText("null")
        }
        out.appendText("}\n")
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
