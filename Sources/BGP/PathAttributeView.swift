/// A one-pass index over an encoded path-attribute block, pointing into the caller's bytes.
///
/// Decoding every attribute into arrays costs allocations per route; most consumers need a few
/// fields. The view records where each attribute lies and decodes fixed-size ones in place.
/// It borrows `bytes`: use it only while the buffer it came from is alive.
public struct PathAttributeView {
    /// The attribute block this view indexes.
    public let bytes: UnsafeRawBufferPointer
    /// AS number width on the session that sent the block (2 or 4).
    public let asnSize: Int
    /// One bit per attribute type code below 64 that appeared.
    public private(set) var present: UInt64 = 0
    /// ORIGIN, when present and well formed.
    public private(set) var origin: RouteOrigin?
    /// Value range of AS_PATH.
    public private(set) var asPath: Range<Int>?
    /// Value range of AS4_PATH.
    public private(set) var as4Path: Range<Int>?
    /// NEXT_HOP as an IPv4 value.
    public private(set) var nextHop: UInt32?
    /// MULTI_EXIT_DISC.
    public private(set) var med: UInt32?
    /// LOCAL_PREF.
    public private(set) var localPref: UInt32?
    /// AGGREGATOR as (AS, IPv4 address).
    public private(set) var aggregator: (asn: UInt32, address: UInt32)?
    /// AS4_AGGREGATOR as (AS, IPv4 address).
    public private(set) var as4Aggregator: (asn: UInt32, address: UInt32)?
    /// Value range of COMMUNITIES.
    public private(set) var communities: Range<Int>?
    /// Value range of LARGE_COMMUNITY.
    public private(set) var largeCommunities: Range<Int>?
    /// Value range of EXTENDED_COMMUNITIES.
    public private(set) var extendedCommunities: Range<Int>?
    /// Value range of MP_REACH_NLRI.
    public private(set) var mpReach: Range<Int>?
    /// Value range of MP_UNREACH_NLRI.
    public private(set) var mpUnreach: Range<Int>?
    /// The first problem found; attributes after a framing error are not indexed.
    public private(set) var error: BGPDecodingError?
    /// How many attributes were malformed (wrong length for their type, or cut off).
    public private(set) var malformedCount = 0
    /// For TABLE_DUMP_V2 RIB entries: the family whose MP_REACH_NLRI is abbreviated to the next hop.
    public var abbreviatedMPReach: IPAddress.Family?

    /// An empty view (no attributes).
    public init() {
        bytes = UnsafeRawBufferPointer(start: nil, count: 0)
        asnSize = 4
    }

    /// Indexes the attribute block `bytes` sent on a session with `asnSize`-byte AS numbers.
    public init(parsing bytes: UnsafeRawBufferPointer, asnSize: Int) {
        self.bytes = bytes
        self.asnSize = asnSize
        var offset = 0
        let end = bytes.count
        while offset < end {
            guard end - offset >= 3 else {
                fail(.truncated("path attribute header", needed: 3, available: end - offset, at: offset))
                return
            }
            let flags = bytes[offset]
            let type = bytes[offset + 1]
            var length: Int
            var header = 3
            if flags & PathAttributeType.flagExtendedLength != 0 {
                guard end - offset >= 4 else {
                    fail(.truncated("path attribute header", needed: 4, available: end - offset, at: offset))
                    return
                }
                length = Int(bytes.u16(offset + 2))
                header = 4
            } else {
                length = Int(bytes[offset + 2])
            }
            let start = offset + header
            guard end - start >= length else {
                fail(.truncated("path attribute \(type)", needed: length, available: end - start, at: start))
                return
            }
            index(type: type, range: start..<(start + length))
            offset = start + length
        }
    }

    private mutating func fail(_ problem: BGPDecodingError) {
        if error == nil { error = problem }
        malformedCount += 1
    }

    private mutating func wrongLength(_ type: UInt8, _ range: Range<Int>) {
        fail(.invalid("path attribute \(type) has wrong length \(range.count)", at: range.lowerBound))
    }

    private mutating func index(type: UInt8, range: Range<Int>) {
        if type < 64 { present |= 1 << UInt64(type) }
        let n = range.count
        let at = range.lowerBound
        switch type {
        case PathAttributeType.origin:
            if n == 1, let value = RouteOrigin(rawValue: bytes[at]) { origin = value } else { wrongLength(type, range) }
        case PathAttributeType.asPath: asPath = range
        case PathAttributeType.as4Path: as4Path = range
        case PathAttributeType.nextHop:
            if n == 4 { nextHop = bytes.u32(at) } else { wrongLength(type, range) }
        case PathAttributeType.multiExitDisc:
            if n == 4 { med = bytes.u32(at) } else { wrongLength(type, range) }
        case PathAttributeType.localPref:
            if n == 4 { localPref = bytes.u32(at) } else { wrongLength(type, range) }
        case PathAttributeType.aggregator:
            if n == 8 {
                aggregator = (bytes.u32(at), bytes.u32(at + 4))
            } else if n == 6 {
                aggregator = (UInt32(bytes.u16(at)), bytes.u32(at + 2))
            } else {
                wrongLength(type, range)
            }
        case PathAttributeType.as4Aggregator:
            if n == 8 { as4Aggregator = (bytes.u32(at), bytes.u32(at + 4)) } else { wrongLength(type, range) }
        case PathAttributeType.communities:
            if n % 4 == 0 { communities = range } else { wrongLength(type, range) }
        case PathAttributeType.largeCommunities:
            if n % 12 == 0 { largeCommunities = range } else { wrongLength(type, range) }
        case PathAttributeType.extendedCommunities:
            if n % 8 == 0 { extendedCommunities = range } else { wrongLength(type, range) }
        case PathAttributeType.mpReachNLRI: if mpReach == nil { mpReach = range }
        case PathAttributeType.mpUnreachNLRI: if mpUnreach == nil { mpUnreach = range }
        default: break
        }
    }

    /// True when an attribute of `type` (below 64) appeared.
    public func has(_ type: UInt8) -> Bool { type < 64 && present & (1 << UInt64(type)) != 0 }

    /// True when ATOMIC_AGGREGATE appeared.
    public var atomicAggregate: Bool { has(PathAttributeType.atomicAggregate) }

    /// The effective origin AS: from AS4_PATH merged into AS_PATH on 2-byte sessions (RFC 6793),
    /// else the last AS of AS_PATH; nil when the path is empty or ends in an AS_SET.
    public var originASN: UInt32? {
        guard let asPath else { return nil }
        if asnSize == 2, let as4Path, useAS4Path,
            let o = ASPathView(bytes: bytes, range: as4Path, asnSize: 4).lastSequenceASN
        {
            return o
        }
        return ASPathView(bytes: bytes, range: asPath, asnSize: asnSize).lastSequenceASN
    }

    /// RFC 6793 4.2.3: AS4_PATH and AS4_AGGREGATOR are ignored when AGGREGATOR holds a real AS.
    public var useAS4Path: Bool {
        guard as4Path != nil, asnSize == 2 else { return false }
        if let aggregator, as4Aggregator != nil, aggregator.asn != 23456 { return false }
        return true
    }

    /// Decodes every indexed attribute into owned values.
    public func materialize() throws(BGPDecodingError) -> PathAttributes {
        try PathAttributes(parsing: bytes, asnSize: asnSize, abbreviatedMPReach: abbreviatedMPReach)
    }
}

/// Reads an AS path in place without building arrays.
public struct ASPathView {
    let bytes: UnsafeRawBufferPointer
    let range: Range<Int>
    let asnSize: Int

    /// A view of the AS path stored at `bytes[range]`.
    public init(bytes: UnsafeRawBufferPointer, range: Range<Int>, asnSize: Int) {
        self.bytes = bytes
        self.range = range
        self.asnSize = asnSize
    }

    /// The last AS of the path when the final segment is an AS_SEQUENCE; nil otherwise or when malformed.
    public var lastSequenceASN: UInt32? {
        var offset = range.lowerBound
        var result: UInt32?
        while offset < range.upperBound {
            guard range.upperBound - offset >= 2 else { return nil }
            let kind = bytes[offset]
            let count = Int(bytes[offset + 1])
            let next = offset + 2 + count * asnSize
            guard next <= range.upperBound else { return nil }
            if kind == ASPathSegment.Kind.sequence.rawValue, count > 0 {
                let at = next - asnSize
                result = asnSize == 4 ? bytes.u32(at) : UInt32(bytes.u16(at))
            } else if kind == ASPathSegment.Kind.set.rawValue {
                result = nil
            }
            offset = next
        }
        return result
    }

    /// Decodes the path into segments.
    public func decode() throws(BGPDecodingError) -> ASPath {
        try ASPath(parsing: UnsafeRawBufferPointer(rebasing: bytes[range]), asnSize: asnSize)
    }
}
