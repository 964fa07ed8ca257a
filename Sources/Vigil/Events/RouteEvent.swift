import BGP

/// A BGP speaker whose routes a collector records: (collector, peer address, peer AS).
public struct PeerKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The collector that heard the peer (a RIS/RouteViews collector name, a BMP router, or a label).
    public var collector: String
    /// The peer's address.
    public var address: IPAddress
    /// The peer's AS number.
    public var asn: UInt32

    /// Creates a peer key.
    public init(collector: String, address: IPAddress, asn: UInt32) {
        self.collector = collector
        self.address = address
        self.asn = asn
    }

    /// `AS174 127.0.0.20` (with the collector when there is one).
    public var description: String {
        collector.isEmpty ? "AS\(asn) \(address)" : "\(collector) AS\(asn) \(address)"
    }

    public static func < (a: PeerKey, b: PeerKey) -> Bool {
        (a.collector, a.address, a.asn) < (b.collector, b.address, b.asn)
    }
}

/// One normalized routing fact, whatever its source (MRT files, RIS Live, BMP). Everything downstream
/// of the sources sees only these.
public struct RouteEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: UInt8, Sendable {
        /// A route from a RIB snapshot: the state at snapshot time, not a change.
        case ribEntry
        /// A route announced (or replaced) in an UPDATE.
        case announce
        /// A route withdrawn.
        case withdraw
        /// The session to the peer reached Established.
        case peerUp
        /// The session to the peer left Established: everything it announced is gone.
        case peerDown
        /// The peer finished sending its initial table (or a RIB snapshot ended for it).
        case endOfRIB
    }

    /// Seconds since the epoch (fractional where the source has them).
    public var time: Double
    /// Who said it.
    public var peer: PeerKey
    /// What happened.
    public var kind: Kind
    /// The prefix for route events; ignored for session events.
    public var prefix: IPPrefix
    /// The origin AS of an announced route (nil when the path ends in an AS_SET or is empty).
    public var origin: UInt32?
    /// The AS before the origin once prepends are collapsed (nil for a path of one AS).
    public var upstream: UInt32?
    /// The whole AS path from the peer's neighbour to the origin, prepends collapsed; empty when the
    /// source did not read it (it is read only for routes into the watched space, for route leaks).
    public var path: [UInt32] = []

    /// Creates an event.
    public init(
        time: Double, peer: PeerKey, kind: Kind, prefix: IPPrefix = IPPrefix(address: .zero(.v4), length: 0),
        origin: UInt32? = nil, upstream: UInt32? = nil, path: [UInt32] = []
    ) {
        self.time = time
        self.peer = peer
        self.kind = kind
        self.prefix = prefix
        self.origin = origin
        self.upstream = upstream
        self.path = path
    }
}
