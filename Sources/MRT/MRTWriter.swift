import BGP

/// Writes MRT records (RFC 6396): BGP4MP(_ET) MESSAGE_AS4 UPDATEs, one route each, and TABLE_DUMP_V2
/// snapshots (a PEER_INDEX_TABLE, then one RIB record per prefix). Route changes that arrive as JSON are
/// written this way so that replay reads them as it reads the archives (one decoder, one merge), and
/// bgpdump can read what was made of them.
public struct MRTWriter {
    /// The records written so far.
    public private(set) var bytes: [UInt8] = []
    /// The local side of the BGP4MP sessions (the collector's AS in RIS; only a label here).
    public var localASN: UInt32 = 12654

    /// An empty writer.
    public init() {}

    /// Appends `route` as one BGP4MP record (BGP4MP_ET when its time has a fraction of a second): an
    /// announcement or withdrawal as a MESSAGE_AS4 holding one UPDATE (IPv4 prefixes in the UPDATE's own
    /// fields, IPv6 ones in MP_REACH_NLRI / MP_UNREACH_NLRI), a session change as a STATE_CHANGE_AS4
    /// (Established to Idle, or Idle to Established).
    public mutating func update(_ route: JSONRoute) {
        let peerV6 = route.peer.family == .v6
        var body = Self.be32(route.peerASN) + Self.be32(localASN) + [0, 0] + Self.be16(peerV6 ? 2 : 1)
        body += Self.addressBytes(route.peer) + Self.addressBytes(.zero(peerV6 ? .v6 : .v4))
        switch route.kind {
        case .peerDown, .peerUp:
            body += route.kind == .peerDown ? Self.be16(6) + Self.be16(1) : Self.be16(1) + Self.be16(6)
            record(time: route.time, type: MRTType.bgp4mp, subtype: BGP4MPSubtype.stateChangeAS4, body)
            return
        case .announce, .withdraw:
            break
        }
        var message: [UInt8] = []
        var attributes: [UInt8] = []
        var withdrawnField: [UInt8] = []
        var nlri: [UInt8] = []
        let v4 = route.prefix.family == .v4
        if route.kind == .withdraw {
            if v4 {
                Self.prefix(route.prefix, into: &withdrawnField)
            } else {
                var body: [UInt8] = [0, 2, 1]
                Self.prefix(route.prefix, into: &body)
                Self.attribute(flags: 0x80, type: PathAttributeType.mpUnreachNLRI, body, into: &attributes)
            }
        } else {
            attributes = Self.announcement(route, inRIB: false)
            if v4 { Self.prefix(route.prefix, into: &nlri) }
        }
        message += [UInt8](repeating: 0xFF, count: 16)
        let length = 19 + 2 + withdrawnField.count + 2 + attributes.count + nlri.count
        message += Self.be16(length)
        message.append(2)
        message += Self.be16(withdrawnField.count) + withdrawnField
        message += Self.be16(attributes.count) + attributes + nlri
        body += message
        record(time: route.time, type: MRTType.bgp4mp, subtype: BGP4MPSubtype.messageAS4, body)
    }

    /// Appends a TABLE_DUMP_V2 snapshot of `routes` at `time` (announcements only): the
    /// PEER_INDEX_TABLE of their peers, then one RIB_IPV4_UNICAST or RIB_IPV6_UNICAST record per prefix
    /// with an entry per peer, in the order the prefixes first appear.
    public mutating func snapshot(_ routes: [JSONRoute], time: Double) {
        struct Peer: Hashable {
            var address: IPAddress
            var asn: UInt32
        }
        var peers: [Peer] = []
        var peerIndex: [Peer: Int] = [:]
        var order: [IPPrefix] = []
        var entries: [IPPrefix: [(Int, JSONRoute)]] = [:]
        for r in routes where r.kind == .announce {
            let p = Peer(address: r.peer, asn: r.peerASN)
            let i: Int
            if let known = peerIndex[p] {
                i = known
            } else {
                i = peers.count
                peers.append(p)
                peerIndex[p] = i
            }
            if entries[r.prefix] == nil { order.append(r.prefix) }
            entries[r.prefix, default: []].append((i, r))
        }
        // Peer indexes are 16 bits: a table of more peers is cut there (RIS has a few hundred).
        let count = min(peers.count, Int(UInt16.max))
        var table = Self.be32(0) + Self.be16(0) + Self.be16(count)
        for p in peers.prefix(count) {
            let v6 = p.address.family == .v6
            table.append(v6 ? 3 : 2)
            table += Self.be32(p.address.family == .v4 ? p.address.v4 : 0)
            table += Self.addressBytes(p.address) + Self.be32(p.asn)
        }
        record(time: time, type: MRTType.tableDumpV2, subtype: TableDumpV2Subtype.peerIndexTable, table)
        for (sequence, prefix) in order.enumerated() {
            let list = (entries[prefix] ?? []).filter { $0.0 < count }
            var body = Self.be32(UInt32(truncatingIfNeeded: sequence))
            Self.prefix(prefix, into: &body)
            body += Self.be16(list.count)
            for (index, r) in list {
                let attributes = Self.announcement(r, inRIB: true)
                body += Self.be16(index) + Self.be32(Self.seconds(r.time)) + Self.be16(attributes.count) + attributes
            }
            let subtype = prefix.family == .v4 ? TableDumpV2Subtype.ribIPv4Unicast : TableDumpV2Subtype.ribIPv6Unicast
            record(time: time, type: MRTType.tableDumpV2, subtype: subtype, body)
        }
    }

    // MARK: Pieces

    /// An MRT record: the common header (BGP4MP_ET's microseconds when `type` is BGP4MP and the time has
    /// a fraction), then `body`.
    private mutating func record(time: Double, type: UInt16, subtype: UInt16, _ body: [UInt8]) {
        let seconds = Self.seconds(time)
        let micro = UInt32(((time - Double(seconds)) * 1_000_000).rounded(.down).clamped(0, 999_999))
        let extended = type == MRTType.bgp4mp && micro > 0
        bytes += Self.be32(seconds)
        bytes += Self.be16(Int(extended ? MRTType.bgp4mpET : type)) + Self.be16(Int(subtype))
        bytes += Self.be32(UInt32(body.count + (extended ? 4 : 0)))
        if extended { bytes += Self.be32(micro) }
        bytes += body
    }

    /// Whole seconds of `time`, within what the 32-bit field holds.
    static func seconds(_ time: Double) -> UInt32 {
        guard time.isFinite else { return 0 }
        return UInt32(time.rounded(.down).clamped(0, Double(UInt32.max)))
    }

    /// The path attributes of an announced route: ORIGIN (IGP), AS_PATH, the next hop (the peer's address
    /// when of the prefix's family, else zeros) and COMMUNITIES. An IPv4 next hop is NEXT_HOP; an IPv6 one
    /// is MP_REACH_NLRI, which in an UPDATE carries the prefix too (AFI 2, SAFI 1) and in a RIB entry holds
    /// the next hop only (RFC 6396 4.3.4).
    static func announcement(_ r: JSONRoute, inRIB: Bool) -> [UInt8] {
        var out: [UInt8] = []
        attribute(flags: 0x40, type: PathAttributeType.origin, [0], into: &out)
        attribute(flags: 0x40, type: PathAttributeType.asPath, asPath(r), into: &out)
        if r.prefix.family == .v4 {
            attribute(
                flags: 0x40, type: PathAttributeType.nextHop, be32(r.peer.family == .v4 ? r.peer.v4 : 0), into: &out)
        } else {
            let hop = addressBytes(r.peer.family == .v6 ? r.peer : .zero(.v6))
            var body: [UInt8]
            if inRIB {
                body = [16] + hop
            } else {
                body = [0, 2, 1, 16] + hop + [0]
                prefix(r.prefix, into: &body)
            }
            attribute(flags: 0x80, type: PathAttributeType.mpReachNLRI, body, into: &out)
        }
        if !r.communities.isEmpty {
            attribute(flags: 0xC0, type: PathAttributeType.communities, r.communities.flatMap(be32), into: &out)
        }
        return out
    }

    /// AS_PATH of four-byte ASes: AS_SEQUENCE segments of at most 255, then the AS_SET if any.
    static func asPath(_ r: JSONRoute) -> [UInt8] {
        var out: [UInt8] = []
        var rest = r.path[...]
        while !rest.isEmpty {
            let segment = rest.prefix(255)
            out += [2, UInt8(segment.count)] + segment.flatMap(be32)
            rest = rest.dropFirst(segment.count)
        }
        if !r.originSet.isEmpty {
            let set = r.originSet.prefix(255)
            out += [1, UInt8(set.count)] + set.flatMap(be32)
        }
        return out
    }

    /// A path attribute, with the extended length when the body is longer than 255 bytes.
    static func attribute(flags: UInt8, type: UInt8, _ body: [UInt8], into out: inout [UInt8]) {
        if body.count > 255 {
            out += [flags | PathAttributeType.flagExtendedLength, type] + be16(body.count)
        } else {
            out += [flags, type, UInt8(body.count)]
        }
        out += body
    }

    /// A prefix as NLRI: its length in bits, then as many bytes as hold them.
    static func prefix(_ p: IPPrefix, into out: inout [UInt8]) {
        out.append(p.length)
        out += addressBytes(p.address).prefix((Int(p.length) + 7) / 8)
    }

    static func addressBytes(_ a: IPAddress) -> [UInt8] {
        a.family == .v4 ? be32(a.v4) : be64(a.high) + be64(a.low)
    }

    static func be16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
    static func be32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
    static func be64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }
}

extension Double {
    fileprivate func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}
