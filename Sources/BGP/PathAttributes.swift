/// Every path attribute of a route, decoded into owned values.
///
/// The convenient form for code that keeps routes (the routing view, JSON output). Hot paths use
/// `PathAttributeView` instead and decode only what they need.
public struct PathAttributes: Hashable, Sendable {
    /// ORIGIN.
    public var origin: RouteOrigin?
    /// AS_PATH as sent (with 2-byte AS numbers on 2-byte sessions).
    public var asPath: ASPath?
    /// AS4_PATH as sent (2-byte sessions only).
    public var as4Path: ASPath?
    /// The next hop.
    public var nextHop: IPAddress?
    /// MULTI_EXIT_DISC.
    public var med: UInt32?
    /// LOCAL_PREF.
    public var localPref: UInt32?
    /// ATOMIC_AGGREGATE was present.
    public var atomicAggregate = false
    /// AGGREGATOR.
    public var aggregator: Aggregator?
    /// AS4_AGGREGATOR.
    public var as4Aggregator: Aggregator?
    /// COMMUNITIES.
    public var communities: [Community] = []
    /// LARGE_COMMUNITY.
    public var largeCommunities: [LargeCommunity] = []
    /// EXTENDED COMMUNITIES as 64-bit values.
    public var extendedCommunities: [UInt64] = []
    /// ORIGINATOR_ID.
    public var originatorID: IPAddress?
    /// CLUSTER_LIST.
    public var clusterList: [IPAddress] = []
    /// MP_REACH_NLRI.
    public var mpReach: MPReachNLRI?
    /// MP_UNREACH_NLRI.
    public var mpUnreach: MPUnreachNLRI?
    /// Attributes not interpreted above, in wire order.
    public var other: [RawPathAttribute] = []
    /// AS number width of the session the attributes came from.
    public var asnSize = 4

    /// No attributes.
    public init() {}

    /// Decodes an attribute block. `abbreviatedMPReach` names the family of a TABLE_DUMP_V2 RIB entry,
    /// whose MP_REACH_NLRI holds only the next hop (RFC 6396 4.3.4).
    public init(
        parsing bytes: UnsafeRawBufferPointer, asnSize: Int, addPath: Bool = false,
        abbreviatedMPReach: IPAddress.Family? = nil
    ) throws(BGPDecodingError) {
        self.asnSize = asnSize
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 3 else {
                throw .truncated("path attribute header", needed: 3, available: bytes.count - offset, at: offset)
            }
            let flags = bytes[offset]
            let type = bytes[offset + 1]
            var length = Int(bytes[offset + 2])
            var header = 3
            if flags & PathAttributeType.flagExtendedLength != 0 {
                guard bytes.count - offset >= 4 else {
                    throw .truncated("path attribute header", needed: 4, available: bytes.count - offset, at: offset)
                }
                length = Int(bytes.u16(offset + 2))
                header = 4
            }
            let start = offset + header
            guard bytes.count - start >= length else {
                throw .truncated("path attribute \(type)", needed: length, available: bytes.count - start, at: start)
            }
            let value = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)])
            do {
                try decode(flags: flags, type: type, value: value, addPath: addPath, abbreviated: abbreviatedMPReach)
            } catch {
                throw error.shifted(by: start)
            }
            offset = start + length
        }
    }

    private mutating func decode(
        flags: UInt8, type: UInt8, value v: UnsafeRawBufferPointer, addPath: Bool, abbreviated: IPAddress.Family?
    ) throws(BGPDecodingError) {
        func expect(_ n: Int) throws(BGPDecodingError) {
            guard v.count == n else { throw .invalid("path attribute \(type) has wrong length \(v.count)", at: 0) }
        }
        switch type {
        case PathAttributeType.origin:
            try expect(1)
            guard let o = RouteOrigin(rawValue: v[0]) else { throw .invalid("ORIGIN value \(v[0])", at: 0) }
            origin = o
        case PathAttributeType.asPath: asPath = try ASPath(parsing: v, asnSize: asnSize)
        case PathAttributeType.as4Path: as4Path = try ASPath(parsing: v, asnSize: 4)
        case PathAttributeType.nextHop:
            try expect(4)
            nextHop = v.ipv4(0)
        case PathAttributeType.multiExitDisc:
            try expect(4)
            med = v.u32(0)
        case PathAttributeType.localPref:
            try expect(4)
            localPref = v.u32(0)
        case PathAttributeType.atomicAggregate: atomicAggregate = true
        case PathAttributeType.aggregator:
            if v.count == 8 {
                aggregator = Aggregator(asn: v.u32(0), address: v.ipv4(4))
            } else {
                try expect(6)
                aggregator = Aggregator(asn: UInt32(v.u16(0)), address: v.ipv4(2))
            }
        case PathAttributeType.as4Aggregator:
            try expect(8)
            as4Aggregator = Aggregator(asn: v.u32(0), address: v.ipv4(4))
        case PathAttributeType.communities:
            guard v.count % 4 == 0 else { throw .invalid("COMMUNITIES length \(v.count)", at: 0) }
            communities = stride(from: 0, to: v.count, by: 4).map { Community(v.u32($0)) }
        case PathAttributeType.largeCommunities:
            guard v.count % 12 == 0 else { throw .invalid("LARGE_COMMUNITY length \(v.count)", at: 0) }
            largeCommunities = stride(from: 0, to: v.count, by: 12).map {
                LargeCommunity(v.u32($0), v.u32($0 + 4), v.u32($0 + 8))
            }
        case PathAttributeType.extendedCommunities:
            guard v.count % 8 == 0 else { throw .invalid("EXTENDED_COMMUNITIES length \(v.count)", at: 0) }
            extendedCommunities = stride(from: 0, to: v.count, by: 8).map { v.u64($0) }
        case PathAttributeType.originatorID:
            try expect(4)
            originatorID = v.ipv4(0)
        case PathAttributeType.clusterList:
            guard v.count % 4 == 0 else { throw .invalid("CLUSTER_LIST length \(v.count)", at: 0) }
            clusterList = stride(from: 0, to: v.count, by: 4).map { v.ipv4($0) }
        case PathAttributeType.mpReachNLRI:
            mpReach = try MPReachNLRI(parsing: v, addPath: addPath, abbreviatedFamily: abbreviated)
        case PathAttributeType.mpUnreachNLRI:
            mpUnreach = try MPUnreachNLRI(parsing: v, addPath: addPath)
        default:
            other.append(RawPathAttribute(flags: flags, type: type, value: Array(v)))
        }
    }

    /// The AS path with AS4_PATH merged in for 2-byte sessions (RFC 6793 4.2.3).
    public var effectiveASPath: ASPath? {
        guard let asPath else { return nil }
        guard asnSize == 2, let as4Path else { return asPath }
        if let aggregator, as4Aggregator != nil, aggregator.asn != 23456 { return asPath }
        return asPath.merged(withAS4Path: as4Path)
    }

    /// The aggregator with AS4_AGGREGATOR applied for 2-byte sessions (RFC 6793 4.2.3).
    public var effectiveAggregator: Aggregator? {
        if asnSize == 2, let aggregator, aggregator.asn == 23456, let as4Aggregator { return as4Aggregator }
        return aggregator
    }
}
