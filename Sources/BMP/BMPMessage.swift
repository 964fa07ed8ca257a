import BGP

/// BMP message types (RFC 7854 section 4.1).
public enum BMPMessageType: UInt8, Sendable {
    case routeMonitoring = 0
    case statisticsReport = 1
    case peerDown = 2
    case peerUp = 3
    case initiation = 4
    case termination = 5
    case routeMirroring = 6
}

/// The per-peer header that precedes every message about one monitored BGP session (RFC 7854 4.2).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Peer Type   |  Peer Flags   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Peer Distinguisher (present based on peer type)       |
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 Peer Address (16 bytes)                       |
/// ~                                                               ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           Peer AS                             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Peer BGP ID                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Timestamp (seconds)                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  Timestamp (microseconds)                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct BMPPeerHeader: Hashable, Sendable {
    /// Bytes on the wire.
    public static let length = 42

    /// Peer types: global instance, RD instance, local instance, and Loc-RIB (RFC 9069).
    public enum PeerType: UInt8, Sendable {
        case global = 0
        case routeDistinguisher = 1
        case local = 2
        case locRIB = 3
    }

    /// The raw peer type (unknown values are kept, not rejected).
    public var peerType: UInt8
    /// The raw flags byte.
    public var flags: UInt8
    /// Route distinguisher of the instance (0 for the global instance).
    public var distinguisher: UInt64
    /// The monitored peer (zero for a Loc-RIB instance).
    public var address: IPAddress
    /// The peer's AS.
    public var asn: UInt32
    /// The peer's BGP identifier.
    public var bgpID: UInt32
    /// When the router observed what the message reports (0 when it does not say).
    public var seconds: UInt32
    public var microseconds: UInt32

    /// True for the Adj-RIB-In after policy (the L flag); false for pre-policy. Loc-RIB peers carry the
    /// router's selected routes instead.
    public var isPostPolicy: Bool { peerType != PeerType.locRIB.rawValue && flags & 0x40 != 0 }
    /// True when the UPDATEs use 2-byte AS numbers (the A flag).
    public var usesTwoByteASNs: Bool { peerType != PeerType.locRIB.rawValue && flags & 0x20 != 0 }
    /// True for a Loc-RIB instance (RFC 9069).
    public var isLocRIB: Bool { peerType == PeerType.locRIB.rawValue }
    /// True for the Adj-RIB-Out (RFC 8671's O flag).
    public var isAdjRIBOut: Bool { peerType != PeerType.locRIB.rawValue && flags & 0x10 != 0 }
    /// The time as seconds since the epoch.
    public var time: Double { Double(seconds) + Double(microseconds) / 1_000_000 }

    /// Reads the header at the start of `b`, which the caller has checked holds `length` bytes.
    init(_ b: UnsafeRawBufferPointer) {
        peerType = b[0]
        flags = b[1]
        distinguisher = b.u64(2)
        let v6 = peerType != PeerType.locRIB.rawValue && flags & 0x80 != 0
        address = v6 ? b.ipv6(10) : b.ipv4(22)
        asn = b.u32(26)
        bgpID = b.u32(30)
        seconds = b.u32(34)
        microseconds = b.u32(38)
    }

    /// Creates a header (for tests and for writing BMP).
    public init(
        peerType: UInt8 = 0, flags: UInt8 = 0, distinguisher: UInt64 = 0, address: IPAddress, asn: UInt32,
        bgpID: UInt32 = 0, seconds: UInt32 = 0, microseconds: UInt32 = 0
    ) {
        self.peerType = peerType
        self.flags = flags
        self.distinguisher = distinguisher
        self.address = address
        self.asn = asn
        self.bgpID = bgpID
        self.seconds = seconds
        self.microseconds = microseconds
    }
}

/// One information TLV (Initiation, Termination, Peer Up), with its value as text when it is text.
public struct BMPInformation: Hashable, Sendable {
    /// The TLV type (Initiation: 0 string, 1 sysDescr, 2 sysName; Termination: 0 string, 1 reason).
    public var type: UInt16
    /// The value's bytes.
    public var value: [UInt8]
    /// The value read as UTF-8 (invalid sequences replaced).
    public var text: String { String(decoding: value, as: UTF8.self) }
}

/// A decoded BMP message. Route Monitoring keeps the BGP message's bytes; `BMPRouteDecoder` turns them
/// into route elements without copying.
public enum BMPMessage: Sendable {
    /// A BGP UPDATE the router received from (or, for Loc-RIB, selected for) the peer.
    case routeMonitoring(BMPPeerHeader, update: [UInt8])
    /// Counters about the session: (stat type, value) pairs; 32-bit and 64-bit gauges both as UInt64.
    case statisticsReport(BMPPeerHeader, stats: [(type: UInt16, value: UInt64)])
    /// The session went down; `reason` is RFC 7854's code (1-5, and 6 for Loc-RIB in RFC 9069).
    case peerDown(BMPPeerHeader, reason: UInt8)
    /// The session came up: the local end, and the OPEN messages each side sent.
    case peerUp(
        BMPPeerHeader, localAddress: IPAddress, localPort: UInt16, remotePort: UInt16, sentOpen: [UInt8],
        receivedOpen: [UInt8], information: [BMPInformation])
    /// The router introduces itself.
    case initiation([BMPInformation])
    /// The router ends the BMP session.
    case termination([BMPInformation])
    /// A copy of what the peer sent (RFC 7854 4.7), kept but not decoded.
    case routeMirroring(BMPPeerHeader)

    /// The message type.
    public var type: BMPMessageType {
        switch self {
        case .routeMonitoring: return .routeMonitoring
        case .statisticsReport: return .statisticsReport
        case .peerDown: return .peerDown
        case .peerUp: return .peerUp
        case .initiation: return .initiation
        case .termination: return .termination
        case .routeMirroring: return .routeMirroring
        }
    }

    /// The per-peer header, for the types that carry one.
    public var peer: BMPPeerHeader? {
        switch self {
        case .routeMonitoring(let p, _), .statisticsReport(let p, _), .peerDown(let p, _), .routeMirroring(let p):
            return p
        case .peerUp(let p, _, _, _, _, _, _): return p
        case .initiation, .termination: return nil
        }
    }
}

/// Why a BMP message could not be read, with where it starts in the stream.
public struct BMPDecodingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Offset of the message (or of the bad bytes) in the stream.
    public var offset: UInt64
    /// What was wrong.
    public var reason: String

    /// Creates an error.
    public init(offset: UInt64, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "BMP at byte \(offset): \(reason)" }
}
