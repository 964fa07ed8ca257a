/// Path attribute type codes that Vigil interprets (IANA "BGP Path Attributes" registry).
public enum PathAttributeType {
    /// ORIGIN (RFC 4271).
    public static let origin: UInt8 = 1
    /// AS_PATH (RFC 4271).
    public static let asPath: UInt8 = 2
    /// NEXT_HOP (RFC 4271).
    public static let nextHop: UInt8 = 3
    /// MULTI_EXIT_DISC (RFC 4271).
    public static let multiExitDisc: UInt8 = 4
    /// LOCAL_PREF (RFC 4271).
    public static let localPref: UInt8 = 5
    /// ATOMIC_AGGREGATE (RFC 4271).
    public static let atomicAggregate: UInt8 = 6
    /// AGGREGATOR (RFC 4271).
    public static let aggregator: UInt8 = 7
    /// COMMUNITIES (RFC 1997).
    public static let communities: UInt8 = 8
    /// ORIGINATOR_ID (RFC 4456).
    public static let originatorID: UInt8 = 9
    /// CLUSTER_LIST (RFC 4456).
    public static let clusterList: UInt8 = 10
    /// MP_REACH_NLRI (RFC 4760).
    public static let mpReachNLRI: UInt8 = 14
    /// MP_UNREACH_NLRI (RFC 4760).
    public static let mpUnreachNLRI: UInt8 = 15
    /// EXTENDED COMMUNITIES (RFC 4360).
    public static let extendedCommunities: UInt8 = 16
    /// AS4_PATH (RFC 6793).
    public static let as4Path: UInt8 = 17
    /// AS4_AGGREGATOR (RFC 6793).
    public static let as4Aggregator: UInt8 = 18
    /// LARGE_COMMUNITY (RFC 8092).
    public static let largeCommunities: UInt8 = 32

    /// Attribute flag bits (RFC 4271 section 4.3).
    public static let flagOptional: UInt8 = 0x80
    /// Transitive bit.
    public static let flagTransitive: UInt8 = 0x40
    /// Partial bit.
    public static let flagPartial: UInt8 = 0x20
    /// Extended Length bit: a 2-byte length follows.
    public static let flagExtendedLength: UInt8 = 0x10
}

/// The ORIGIN attribute value.
public enum RouteOrigin: UInt8, Hashable, Sendable, CustomStringConvertible {
    case igp = 0
    case egp = 1
    case incomplete = 2

    public var description: String {
        switch self {
        case .igp: return "IGP"
        case .egp: return "EGP"
        case .incomplete: return "INCOMPLETE"
        }
    }
}

/// AFI values (IANA Address Family Numbers) used by multiprotocol BGP.
public enum AFI {
    /// IPv4.
    public static let ipv4: UInt16 = 1
    /// IPv6.
    public static let ipv6: UInt16 = 2

    /// The address family for an AFI, or nil for families Vigil does not decode.
    public static func family(_ afi: UInt16) -> IPAddress.Family? {
        switch afi {
        case ipv4: return .v4
        case ipv6: return .v6
        default: return nil
        }
    }
}

/// SAFI values Vigil decodes into prefixes (unicast, multicast, and the old "both").
public enum SAFI {
    /// Unicast.
    public static let unicast: UInt8 = 1
    /// Multicast.
    public static let multicast: UInt8 = 2
    /// Unicast and multicast (RFC 2858, deprecated).
    public static let unicastMulticast: UInt8 = 3

    /// True for SAFIs whose NLRI are plain prefixes.
    public static func isPlainPrefix(_ safi: UInt8) -> Bool { safi >= 1 && safi <= 3 }
}
