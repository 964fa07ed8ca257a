/// One routing fact, whatever carried it (an MRT file's record, a BMP message): a RIB entry, an
/// announcement, a withdrawal or a peer's state change. Every source of routes turns its bytes into these,
/// so everything downstream of decoding (filters, formatters, the routing view) is written once.
///
/// A plain value built without heap allocation. `attributes` borrows the carrier's bytes: read it inside
/// the callback that received the element (or call `attributes.materialize()` to keep a copy).
public struct RouteElement {
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
    /// Seconds since the Unix epoch: the carrying record's or message's time.
    public var timestamp: UInt32
    /// Microseconds past `timestamp` (0 when the carrier has none).
    public var microseconds: UInt32
    /// What carried the element, and where it sat in its input.
    public var carrier: Carrier
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
    public init(kind: Kind, timestamp: UInt32, microseconds: UInt32 = 0, carrier: Carrier) {
        self.kind = kind
        self.timestamp = timestamp
        self.microseconds = microseconds
        self.carrier = carrier
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

    /// The element's time as seconds since the epoch, with its microseconds.
    public var time: Double { Double(timestamp) + Double(microseconds) / 1_000_000 }

    /// The origin AS of an announcement or RIB entry (AS4_PATH applied on 2-byte sessions).
    public var originASN: UInt32? { attributes.originASN }
}

extension RouteElement {
    /// What carried an element: the format, the record's or message's type codes in that format, and its
    /// offset in the input (for warnings and for formatters that print one record's elements alike).
    public struct Carrier: Hashable, Sendable {
        /// The formats Vigil reads routes from.
        public enum Format: UInt8, Hashable, Sendable {
            /// An MRT record (RFC 6396).
            case mrt
            /// A BMP message (RFC 7854).
            case bmp
        }

        /// The carrier's format.
        public var format: Format
        /// MRT's record type (RFC 6396 section 4), or BMP's message type (RFC 7854 section 4.1).
        public var type: UInt16
        /// MRT's record subtype; 0 for BMP.
        public var subtype: UInt16
        /// Offset of the carrying record's or message's first byte in its (decompressed) input.
        public var offset: UInt64

        /// A carrier description.
        public init(format: Format, type: UInt16, subtype: UInt16 = 0, offset: UInt64 = 0) {
            self.format = format
            self.type = type
            self.subtype = subtype
            self.offset = offset
        }
    }
}
