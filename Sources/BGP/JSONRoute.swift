/// One route change, table entry or session change as RIPE's JSON sources give it (RIPEstat's
/// `bgp-state` and `bgp-updates` answers, RIS Live recordings): the collector's peer that said it, the
/// prefix and the AS path. Replay writes these as MRT records (`MRTWriter`) and reads them through the one
/// MRT path, as it reads the archives.
public struct JSONRoute: Sendable, Equatable {
    /// What the peer said.
    public enum Kind: Sendable, Equatable {
        /// A route announced, or in a table at its time.
        case announce
        /// A route withdrawn.
        case withdraw
        /// The collector's session with the peer went down, or came up.
        case peerDown
        case peerUp
    }

    /// Seconds since the epoch (fractions kept to the microsecond).
    public var time: Double
    /// The collector ("rrc00") and its peer.
    public var collector: String
    public var peer: IPAddress
    public var peerASN: UInt32
    public var kind: Kind
    /// The prefix (unused for session changes).
    public var prefix: IPPrefix
    /// The AS path, the peer's neighbour first, the origin last; `originSet` is an AS_SET after it.
    public var path: [UInt32]
    public var originSet: [UInt32]
    /// Standard communities, each as AS << 16 | value.
    public var communities: [UInt32]

    /// A route.
    public init(
        time: Double, collector: String, peer: IPAddress, peerASN: UInt32, kind: Kind,
        prefix: IPPrefix = IPPrefix(address: .zero(.v4), length: 0), path: [UInt32] = [], originSet: [UInt32] = [],
        communities: [UInt32] = []
    ) {
        self.time = time
        self.collector = collector
        self.peer = peer
        self.peerASN = peerASN
        self.kind = kind
        self.prefix = prefix
        self.path = path
        self.originSet = originSet
        self.communities = communities
    }
}
