import BGP

/// Turns MRT records into elements.
///
/// Keeps the state that spans records (the TABLE_DUMP_V2 peer index). Applies `filter` as early as
/// each record layout allows: peers and prefixes before attributes, origin AS before delivery.
public struct MRTDecoder {
    /// The UPDATE decoder shared with every carrier of BGP messages; it holds the filter.
    public var updates: UpdateDecoder
    /// Which elements to deliver.
    public var filter: RouteFilter {
        get { updates.filter }
        set { updates.filter = newValue }
    }
    /// The peers of the last PEER_INDEX_TABLE seen.
    public private(set) var peers: [MRTPeer] = []
    /// The collector BGP identifier and view name from the last PEER_INDEX_TABLE.
    public private(set) var collectorID: UInt32 = 0
    public private(set) var viewName = ""

    /// A decoder delivering the elements that pass `filter`.
    public init(filter: RouteFilter = RouteFilter()) { updates = UpdateDecoder(filter: filter) }

    /// Decodes `record`, calling `visit` for each element that passes the filter, in record order.
    public mutating func decode(_ record: MRTRecord, _ visit: (RouteElement) -> Void) -> DecodingOutcome {
        let h = record.header
        let b = record.body
        switch h.type {
        case MRTType.tableDumpV2:
            switch h.subtype {
            case TableDumpV2Subtype.peerIndexTable: return decodePeerIndex(b)
            case 2...5, 8...11: return decodeRIBEntries(h, b, visit)
            case TableDumpV2Subtype.ribGeneric, TableDumpV2Subtype.ribGenericAddPath:
                return decodeRIBGeneric(h, b, visit)
            default: return .unsupported
            }
        case MRTType.bgp4mp, MRTType.bgp4mpET:
            switch h.subtype {
            case BGP4MPSubtype.stateChange, BGP4MPSubtype.stateChangeAS4: return decodeStateChange(h, b, visit)
            case BGP4MPSubtype.entry, BGP4MPSubtype.snapshot: return .unsupported
            default: return decodeBGP4MPMessage(h, b, visit)
            }
        case MRTType.tableDump: return decodeTableDump(h, b, visit)
        case MRTType.bgp: return decodeLegacyBGP(h, b, visit)
        default: return .unsupported
        }
    }

    // MARK: TABLE_DUMP_V2

    mutating func decodePeerIndex(_ b: UnsafeRawBufferPointer) -> DecodingOutcome {
        guard b.count >= 6 else { return .damaged("PEER_INDEX_TABLE shorter than its header") }
        collectorID = b.u32(0)
        let nameLength = Int(b.u16(4))
        guard b.count >= 6 + nameLength + 2 else { return .damaged("PEER_INDEX_TABLE view name runs past the record") }
        viewName = String(decoding: b[6..<(6 + nameLength)], as: UTF8.self)
        let count = Int(b.u16(6 + nameLength))
        var offset = 8 + nameLength
        var table: [MRTPeer] = []
        table.reserveCapacity(count)
        for i in 0..<count {
            guard offset < b.count else {
                peers = table
                return .damaged("PEER_INDEX_TABLE holds \(i) of \(count) peers before its end")
            }
            let type = b[offset]
            let v6 = type & 1 != 0
            let as4 = type & 2 != 0
            let size = 1 + 4 + (v6 ? 16 : 4) + (as4 ? 4 : 2)
            guard b.count - offset >= size else {
                peers = table
                return .damaged("PEER_INDEX_TABLE entry \(i) is truncated")
            }
            let address = v6 ? b.ipv6(offset + 5) : b.ipv4(offset + 5)
            let asAt = offset + 5 + (v6 ? 16 : 4)
            table.append(
                MRTPeer(bgpID: b.u32(offset + 1), address: address, asn: as4 ? b.u32(asAt) : UInt32(b.u16(asAt))))
            offset += size
        }
        peers = table
        return .decoded
    }

    func decodeRIBEntries(_ h: MRTRecordHeader, _ b: UnsafeRawBufferPointer, _ visit: (RouteElement) -> Void)
        -> DecodingOutcome
    {
        let family: IPAddress.Family =
            (h.subtype == 2 || h.subtype == 3 || h.subtype == 8 || h.subtype == 9) ? .v4 : .v6
        let addPath = h.subtype >= 8
        guard b.count >= 5 else { return .damaged("RIB record shorter than its header") }
        let bits = Int(b[4])
        guard bits <= family.bitWidth else { return .damaged("RIB prefix length \(bits) is invalid") }
        let bytes = (bits + 7) / 8
        guard b.count >= 5 + bytes + 2 else { return .damaged("RIB prefix runs past the record") }
        let prefix = IPPrefix(address: IPAddress(family: family, bytes: b, offset: 5, count: bytes), length: bits)
        if !filter.accepts(prefix: prefix) || !filter.accepts(kind: .ribEntry) { return .decoded }
        let safi: UInt8 = (h.subtype == 3 || h.subtype == 5 || h.subtype == 9 || h.subtype == 11) ? 2 : 1
        return ribEntries(h, b, from: 5 + bytes, prefix: prefix, safi: safi, addPath: addPath, visit)
    }

    func decodeRIBGeneric(_ h: MRTRecordHeader, _ b: UnsafeRawBufferPointer, _ visit: (RouteElement) -> Void)
        -> DecodingOutcome
    {
        guard b.count >= 8 else { return .damaged("RIB_GENERIC record shorter than its header") }
        let afi = b.u16(4)
        let safi = b[6]
        guard let family = AFI.family(afi), SAFI.isPlainPrefix(safi) else { return .unsupported }
        let bits = Int(b[7])
        guard bits <= family.bitWidth else { return .damaged("RIB_GENERIC prefix length \(bits) is invalid") }
        let bytes = (bits + 7) / 8
        guard b.count >= 8 + bytes + 2 else { return .damaged("RIB_GENERIC prefix runs past the record") }
        let prefix = IPPrefix(address: IPAddress(family: family, bytes: b, offset: 8, count: bytes), length: bits)
        if !filter.accepts(prefix: prefix) || !filter.accepts(kind: .ribEntry) { return .decoded }
        return ribEntries(
            h, b, from: 8 + bytes, prefix: prefix, safi: safi,
            addPath: h.subtype == TableDumpV2Subtype.ribGenericAddPath,
            visit)
    }

    func ribEntries(
        _ h: MRTRecordHeader, _ b: UnsafeRawBufferPointer, from: Int, prefix: IPPrefix, safi: UInt8, addPath: Bool,
        _ visit: (RouteElement) -> Void
    ) -> DecodingOutcome {
        let count = Int(b.u16(from))
        var offset = from + 2
        var element = RouteElement(kind: .ribEntry, record: h)
        element.prefix = prefix
        element.safi = safi
        for i in 0..<count {
            let fixed = addPath ? 12 : 8
            guard b.count - offset >= fixed else { return .damaged("RIB entry \(i + 1) of \(count) is truncated") }
            let peerIndex = Int(b.u16(offset))
            element.originatedTime = b.u32(offset + 2)
            element.pathID = addPath ? b.u32(offset + 6) : nil
            let attrLength = Int(b.u16(offset + fixed - 2))
            let attrStart = offset + fixed
            guard b.count - attrStart >= attrLength else {
                return .damaged("RIB entry \(i + 1) attributes run past the record")
            }
            offset = attrStart + attrLength
            guard peerIndex < peers.count else {
                return .damaged("RIB entry \(i + 1) names peer \(peerIndex), but the peer table has \(peers.count)")
            }
            let peer = peers[peerIndex]
            guard filter.accepts(peer: peer.address, asn: peer.asn) else { continue }
            element.peerAddress = peer.address
            element.peerASN = peer.asn
            var view = PathAttributeView(
                parsing: UnsafeRawBufferPointer(rebasing: b[attrStart..<(attrStart + attrLength)]), asnSize: 4)
            view.abbreviatedMPReach = prefix.family
            guard filter.originASNs.isEmpty || filter.accepts(origin: view.originASN) else { continue }
            element.attributes = view
            element.nextHop = MRTDecoder.ribNextHop(view)
            visit(element)
        }
        return .decoded
    }

    /// A RIB entry's next hop: MP_REACH_NLRI's (abbreviated or full) when present, else NEXT_HOP.
    static func ribNextHop(_ view: PathAttributeView) -> IPAddress? {
        if let mp = view.mpReach { return MPReachLayout.ribNextHop(bytes: view.bytes, range: mp) }
        return view.nextHop.map { IPAddress(v4: $0) }
    }

    // MARK: TABLE_DUMP (v1)

    func decodeTableDump(_ h: MRTRecordHeader, _ b: UnsafeRawBufferPointer, _ visit: (RouteElement) -> Void)
        -> DecodingOutcome
    {
        // One entry per record as RFC 6396 has it; RIS's files of 1999-2000 pack several into one record:
        // entries are read while the record holds another whole one.
        var offset = 0
        repeat {
            let (next, result) = decodeTableDumpEntry(h, b, at: offset, visit)
            if case .damaged = result { return result }
            guard let next, next > offset else { break }
            offset = next
        } while offset < b.count
        return .decoded
    }

    /// Decodes the TABLE_DUMP entry at `offset`; returns where the next one would start (nil when the
    /// entry's end is unknown) and the outcome.
    func decodeTableDumpEntry(
        _ h: MRTRecordHeader, _ whole: UnsafeRawBufferPointer, at offset: Int, _ visit: (RouteElement) -> Void
    ) -> (Int?, DecodingOutcome) {
        let b = UnsafeRawBufferPointer(rebasing: whole[offset...])
        let v6 = h.subtype == 2 || h.subtype == 4
        let as4 = h.subtype >= 3
        let aw = v6 ? 16 : 4
        let fixed = 4 + aw + 2 + 4 + aw + (as4 ? 4 : 2) + 2
        guard b.count >= fixed else {
            return (
                nil,
                .damaged("TABLE_DUMP \(offset == 0 ? "record" : "entry at byte \(offset)") shorter than \(fixed) bytes")
            )
        }
        let attrLength = Int(b.u16(fixed - 2))
        let next = offset + fixed + attrLength
        let family: IPAddress.Family = v6 ? .v6 : .v4
        let bits = Int(b[4 + aw])
        guard bits <= family.bitWidth else { return (nil, .damaged("TABLE_DUMP prefix length \(bits) is invalid")) }
        var element = RouteElement(kind: .ribEntry, record: h)
        element.prefix = IPPrefix(address: IPAddress(family: family, bytes: b, offset: 4, count: aw), length: bits)
        guard filter.accepts(prefix: element.prefix), filter.accepts(kind: .ribEntry) else { return (next, .decoded) }
        var at = 4 + aw + 2
        element.originatedTime = b.u32(at)
        at += 4
        element.peerAddress = v6 ? b.ipv6(at) : b.ipv4(at)
        at += aw
        element.peerASN = as4 ? b.u32(at) : UInt32(b.u16(at))
        at += as4 ? 4 : 2
        guard filter.accepts(peer: element.peerAddress, asn: element.peerASN) else { return (next, .decoded) }
        at += 2
        var outcome = DecodingOutcome.decoded
        var end = at + attrLength
        if end > b.count {
            outcome = .damaged("TABLE_DUMP attributes run past the record")
            end = b.count
        }
        var view = PathAttributeView(parsing: UnsafeRawBufferPointer(rebasing: b[at..<end]), asnSize: as4 ? 4 : 2)
        view.abbreviatedMPReach = family
        guard filter.originASNs.isEmpty || filter.accepts(origin: view.originASN) else { return (next, outcome) }
        element.attributes = view
        element.nextHop = MRTDecoder.ribNextHop(view)
        visit(element)
        return (next, outcome)
    }
}
