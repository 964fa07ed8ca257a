import BGP

extension RouteElement {
    /// An element carried by the MRT record with header `record`.
    @inline(__always)
    public init(kind: Kind, record: MRTRecordHeader) {
        self.init(
            kind: kind, timestamp: record.timestamp, microseconds: record.microseconds,
            carrier: Carrier(format: .mrt, type: record.type, subtype: record.subtype, offset: record.offset))
    }
}

extension RouteElement.Carrier {
    /// The MRT type of the record that holds (or, for BMP, would hold) the element: a BMP Route Monitoring
    /// message's routes are what a BGP4MP_ET record of a collector would hold.
    public var mrtType: UInt16 { format == .mrt ? type : MRTType.bgp4mpET }
    /// The MRT subtype, as `mrtType`: BGP4MP_MESSAGE_AS4 for BMP (its UPDATEs are decoded with 4-byte ASNs
    /// unless the peer header says otherwise).
    public var mrtSubtype: UInt16 { format == .mrt ? subtype : BGP4MPSubtype.messageAS4 }
    /// The carrier's name as bgpdump and RFC 6396 spell MRT types; "BMP" for BMP.
    public var typeName: String { format == .mrt ? MRTType.name(type) : "BMP" }
}
