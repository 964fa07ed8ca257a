/// MP_REACH_NLRI (RFC 4760): routes of one AFI/SAFI with their next hop.
public struct MPReachNLRI: Hashable, Sendable {
    /// Address family identifier (1 IPv4, 2 IPv6).
    public var afi: UInt16
    /// Subsequent address family identifier (1 unicast, 2 multicast).
    public var safi: UInt8
    /// The next hop (global address); nil when its length does not fit the family.
    public var nextHop: IPAddress?
    /// The IPv6 link-local next hop when the next hop field holds 32 bytes.
    public var linkLocalNextHop: IPAddress?
    /// Decoded prefixes; empty for AFI/SAFI pairs that are not plain prefixes.
    public var nlri: [NLRI]

    /// Creates a value.
    public init(afi: UInt16, safi: UInt8, nextHop: IPAddress?, linkLocalNextHop: IPAddress? = nil, nlri: [NLRI]) {
        self.afi = afi
        self.safi = safi
        self.nextHop = nextHop
        self.linkLocalNextHop = linkLocalNextHop
        self.nlri = nlri
    }

    /// Decodes the attribute value. `abbreviatedFamily` is given for TABLE_DUMP_V2 RIB entries, where
    /// RFC 6396 4.3.4 keeps only the next-hop length and next hop.
    public init(
        parsing b: UnsafeRawBufferPointer, addPath: Bool, abbreviatedFamily: IPAddress.Family? = nil
    ) throws(BGPDecodingError) {
        if let family = abbreviatedFamily, b.count >= 1, b[0] != 0 {
            let length = Int(b[0])
            guard b.count >= 1 + length else {
                throw .truncated("MP_REACH next hop", needed: length, available: b.count - 1, at: 1)
            }
            afi = family == .v4 ? AFI.ipv4 : AFI.ipv6
            safi = SAFI.unicast
            (nextHop, linkLocalNextHop) = MPReachNLRI.nextHops(b, at: 1, length: length)
            nlri = []
            return
        }
        let layout = try MPReachLayout(bytes: b, range: 0..<b.count)
        afi = layout.afi
        safi = layout.safi
        (nextHop, linkLocalNextHop) = MPReachNLRI.nextHops(b, at: 4, length: layout.nextHopLength)
        if let family = AFI.family(afi), SAFI.isPlainPrefix(safi) {
            nlri = try NLRIIterator.decodeAll(b, range: layout.nlri, family: family, addPath: addPath)
        } else {
            nlri = []
        }
    }

    static func nextHops(_ b: UnsafeRawBufferPointer, at: Int, length: Int) -> (IPAddress?, IPAddress?) {
        switch length {
        case 4: return (b.ipv4(at), nil)
        case 12: return (b.ipv4(at + 8), nil)  // VPN: 8-byte route distinguisher + IPv4
        case 16: return (b.ipv6(at), nil)
        case 24: return (b.ipv6(at + 8), nil)
        case 32: return (b.ipv6(at), b.ipv6(at + 16))
        case 48: return (b.ipv6(at + 8), b.ipv6(at + 32))
        default: return (nil, nil)
        }
    }
}

/// MP_UNREACH_NLRI (RFC 4760): withdrawn routes of one AFI/SAFI.
public struct MPUnreachNLRI: Hashable, Sendable {
    /// Address family identifier (1 IPv4, 2 IPv6).
    public var afi: UInt16
    /// Subsequent address family identifier (1 unicast, 2 multicast).
    public var safi: UInt8
    /// Decoded prefixes; empty for AFI/SAFI pairs that are not plain prefixes.
    public var nlri: [NLRI]

    /// Creates a value.
    public init(afi: UInt16, safi: UInt8, nlri: [NLRI]) {
        self.afi = afi
        self.safi = safi
        self.nlri = nlri
    }

    /// Decodes the attribute value.
    public init(parsing b: UnsafeRawBufferPointer, addPath: Bool) throws(BGPDecodingError) {
        guard b.count >= 3 else { throw .truncated("MP_UNREACH header", needed: 3, available: b.count, at: 0) }
        afi = b.u16(0)
        safi = b[2]
        if let family = AFI.family(afi), SAFI.isPlainPrefix(safi) {
            nlri = try NLRIIterator.decodeAll(b, range: 3..<b.count, family: family, addPath: addPath)
        } else {
            nlri = []
        }
    }
}
