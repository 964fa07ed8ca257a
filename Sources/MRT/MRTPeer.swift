import BGP

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
