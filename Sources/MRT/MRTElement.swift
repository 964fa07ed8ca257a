import BGP

/// One routing fact from an MRT file: a RIB entry, an announcement, a withdrawal or a peer's state change.
///
/// A plain value built without heap allocation. `attributes` borrows the record's bytes: read it inside
/// the callback that received the element (or call `attributes.materialize()` to keep a copy).
public struct MRTElement {
    /// What the element says.
    public enum Kind: UInt8, Sendable {
        case ribEntry
        case announcement
        case withdrawal
        case stateChange

        /// The one-letter code used by bgpdump and by `--type`.
        public var letter: String {
            switch self {
            case .ribEntry: return "B"
            case .announcement: return "A"
            case .withdrawal: return "W"
            case .stateChange: return "STATE"
            }
        }
    }

    /// What the element says.
    public var kind: Kind
    /// The header of the record the element came from.
    public var record: MRTRecordHeader
    /// The peer (the router that sent the route, or whose session changed state).
    public var peerAddress: IPAddress
    /// The peer's AS number.
    public var peerASN: UInt32
    /// The collector's side of the session, when the record says (BGP4MP, type 5 BGP).
    public var localAddress: IPAddress?
    /// The collector's AS number on the session.
    public var localASN: UInt32?
    /// The prefix; meaningless for state changes.
    public var prefix: IPPrefix
    /// ADD-PATH path identifier (RFC 7911 / RFC 8050).
    public var pathID: UInt32?
    /// SAFI of the prefix (1 unicast, 2 multicast).
    public var safi: UInt8
    /// True when the prefix came from MP_REACH_NLRI / MP_UNREACH_NLRI rather than the IPv4 fields.
    public var viaMultiprotocol: Bool
    /// The next hop that applies to this prefix: MP_REACH's for multiprotocol routes, NEXT_HOP otherwise.
    public var nextHop: IPAddress?
    /// Path attributes (empty for withdrawals and state changes).
    public var attributes: PathAttributeView
    /// When the route was learned (RIB entries).
    public var originatedTime: UInt32
    /// BGP FSM states (RFC 6396 4.4.1) for state changes.
    public var oldState: UInt16
    /// The FSM state after the change.
    public var newState: UInt16

    /// Creates an element; decoders fill the fields that apply.
    public init(kind: Kind, record: MRTRecordHeader) {
        self.kind = kind
        self.record = record
        peerAddress = .zero(.v4)
        peerASN = 0
        prefix = IPPrefix(address: .zero(.v4), length: 0)
        safi = 1
        viaMultiprotocol = false
        attributes = PathAttributeView()
        originatedTime = 0
        oldState = 0
        newState = 0
    }

    /// The record's time as seconds since the epoch, with microseconds for `_ET` records.
    public var time: Double { Double(record.timestamp) + Double(record.microseconds) / 1_000_000 }

    /// The origin AS of an announcement or RIB entry (AS4_PATH applied on 2-byte sessions).
    public var originASN: UInt32? { attributes.originASN }
}

/// A peer from a TABLE_DUMP_V2 PEER_INDEX_TABLE.
public struct MRTPeer: Hashable, Sendable {
    /// The peer's BGP identifier.
    public var bgpID: UInt32
    /// The address.
    public var address: IPAddress
    /// The AS number.
    public var asn: UInt32

    /// Creates a peer entry.
    public init(bgpID: UInt32, address: IPAddress, asn: UInt32) {
        self.bgpID = bgpID
        self.address = address
        self.asn = asn
    }
}
