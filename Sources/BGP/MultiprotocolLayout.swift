/// Where the parts of an MP_REACH_NLRI value lie, read in place (no allocation).
public struct MPReachLayout {
    /// Address family identifier (1 IPv4, 2 IPv6).
    public var afi: UInt16
    /// Subsequent address family identifier (1 unicast, 2 multicast).
    public var safi: UInt8
    /// Length of the next-hop field.
    public var nextHopLength: Int
    /// The global next hop, when the length fits the family.
    public var nextHop: IPAddress?
    /// Byte range of the NLRI, in the same buffer as the attribute.
    public var nlri: Range<Int>

    /// Splits the MP_REACH_NLRI value at `bytes[range]` (RFC 4760 section 3).
    public init(bytes b: UnsafeRawBufferPointer, range: Range<Int>) throws(BGPDecodingError) {
        let at = range.lowerBound
        guard range.count >= 5 else { throw .truncated("MP_REACH header", needed: 5, available: range.count, at: at) }
        afi = b.u16(at)
        safi = b[at + 2]
        nextHopLength = Int(b[at + 3])
        guard range.count >= 4 + nextHopLength + 1 else {
            throw .truncated("MP_REACH next hop", needed: nextHopLength + 1, available: range.count - 4, at: at + 4)
        }
        nextHop = MPReachNLRI.nextHops(b, at: at + 4, length: nextHopLength).0
        var offset = at + 4 + nextHopLength + 1
        let snpas = Int(b[at + 4 + nextHopLength])
        for _ in 0..<snpas {
            guard offset < range.upperBound else {
                throw .truncated("MP_REACH SNPA", needed: 1, available: 0, at: offset)
            }
            offset += 1 + (Int(b[offset]) + 1) / 2
        }
        guard offset <= range.upperBound else {
            throw .truncated("MP_REACH SNPA", needed: offset - range.upperBound, available: 0, at: range.upperBound)
        }
        nlri = offset..<range.upperBound
    }

    /// The next hop of a TABLE_DUMP_V2 RIB entry, whose MP_REACH_NLRI may be abbreviated to the
    /// next-hop length and next hop (RFC 6396 4.3.4); full encodings are also accepted.
    public static func ribNextHop(bytes b: UnsafeRawBufferPointer, range: Range<Int>) -> IPAddress? {
        guard !range.isEmpty else { return nil }
        let first = Int(b[range.lowerBound])
        if first != 0 {
            guard range.count >= 1 + first else { return nil }
            return MPReachNLRI.nextHops(b, at: range.lowerBound + 1, length: first).0
        }
        return (try? MPReachLayout(bytes: b, range: range))?.nextHop
    }
}

/// Where the parts of an MP_UNREACH_NLRI value lie, read in place.
public struct MPUnreachLayout {
    /// Address family identifier (1 IPv4, 2 IPv6).
    public var afi: UInt16
    /// Subsequent address family identifier (1 unicast, 2 multicast).
    public var safi: UInt8
    /// Byte range of the withdrawn NLRI.
    public var nlri: Range<Int>

    /// Splits the MP_UNREACH_NLRI value at `bytes[range]`.
    public init(bytes b: UnsafeRawBufferPointer, range: Range<Int>) throws(BGPDecodingError) {
        guard range.count >= 3 else {
            throw .truncated("MP_UNREACH header", needed: 3, available: range.count, at: range.lowerBound)
        }
        afi = b.u16(range.lowerBound)
        safi = b[range.lowerBound + 2]
        nlri = (range.lowerBound + 3)..<range.upperBound
    }
}
