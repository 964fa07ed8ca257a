/// Path attribute type codes that Vigil interprets (IANA "BGP Path Attributes" registry).
public enum PathAttributeType {
    public static let origin: UInt8 = 1
    public static let asPath: UInt8 = 2
    public static let nextHop: UInt8 = 3
    public static let multiExitDisc: UInt8 = 4
    public static let localPref: UInt8 = 5
    public static let atomicAggregate: UInt8 = 6
    public static let aggregator: UInt8 = 7
    public static let communities: UInt8 = 8
    public static let originatorID: UInt8 = 9
    public static let clusterList: UInt8 = 10
    public static let mpReachNLRI: UInt8 = 14
    public static let mpUnreachNLRI: UInt8 = 15
    public static let extendedCommunities: UInt8 = 16
    public static let as4Path: UInt8 = 17
    public static let as4Aggregator: UInt8 = 18
    public static let largeCommunities: UInt8 = 32

    /// Attribute flag bits (RFC 4271 section 4.3).
    public static let flagOptional: UInt8 = 0x80
    public static let flagTransitive: UInt8 = 0x40
    public static let flagPartial: UInt8 = 0x20
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
    public static let ipv4: UInt16 = 1
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
    public static let unicast: UInt8 = 1
    public static let multicast: UInt8 = 2
    public static let unicastMulticast: UInt8 = 3

    /// True for SAFIs whose NLRI are plain prefixes.
    public static func isPlainPrefix(_ safi: UInt8) -> Bool { safi >= 1 && safi <= 3 }
}
