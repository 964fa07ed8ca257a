/// MRT record type codes (RFC 6396 section 4 and the deprecated types of section 4.1 of RFC 6396's
/// predecessor, still found in the 1999-2000 RIPE RIS archives).
public enum MRTType {
    /// BGP, deprecated (RIPE RIS 1999-2000).
    public static let bgp: UInt16 = 5
    /// TABLE_DUMP (RFC 6396 4.2).
    public static let tableDump: UInt16 = 12
    /// TABLE_DUMP_V2 (RFC 6396 4.3).
    public static let tableDumpV2: UInt16 = 13
    /// BGP4MP (RFC 6396 4.4).
    public static let bgp4mp: UInt16 = 16
    /// BGP4MP_ET, with microseconds (RFC 6396 3).
    public static let bgp4mpET: UInt16 = 17
    /// OSPFv2 (not decoded).
    public static let ospfv2: UInt16 = 11
    /// ISIS (not decoded).
    public static let isis: UInt16 = 32
    /// ISIS_ET (not decoded).
    public static let isisET: UInt16 = 33
    /// OSPFv3 (not decoded).
    public static let ospfv3: UInt16 = 48
    /// OSPFv3_ET (not decoded).
    public static let ospfv3ET: UInt16 = 49

    /// A type's name as bgpdump and RFC 6396 spell it.
    public static func name(_ type: UInt16) -> String {
        switch type {
        case bgp: return "BGP"
        case tableDump: return "TABLE_DUMP"
        case tableDumpV2: return "TABLE_DUMP_V2"
        case bgp4mp: return "BGP4MP"
        case bgp4mpET: return "BGP4MP_ET"
        default: return "type \(type)"
        }
    }

    /// True for types that carry a 4-byte microsecond field after the common header.
    public static func hasExtendedTimestamp(_ type: UInt16) -> Bool {
        type == bgp4mpET || type == isisET || type == ospfv3ET
    }
}

/// TABLE_DUMP_V2 subtypes (RFC 6396 4.3, RFC 8050).
public enum TableDumpV2Subtype {
    /// PEER_INDEX_TABLE.
    public static let peerIndexTable: UInt16 = 1
    /// RIB_IPV4_UNICAST.
    public static let ribIPv4Unicast: UInt16 = 2
    /// RIB_IPV4_MULTICAST.
    public static let ribIPv4Multicast: UInt16 = 3
    /// RIB_IPV6_UNICAST.
    public static let ribIPv6Unicast: UInt16 = 4
    /// RIB_IPV6_MULTICAST.
    public static let ribIPv6Multicast: UInt16 = 5
    /// RIB_GENERIC.
    public static let ribGeneric: UInt16 = 6
    /// GEO_PEER_TABLE (RFC 6397, not decoded).
    public static let geoPeerTable: UInt16 = 7
    /// RIB_IPV4_UNICAST_ADDPATH (RFC 8050).
    public static let ribIPv4UnicastAddPath: UInt16 = 8
    /// RIB_IPV4_MULTICAST_ADDPATH (RFC 8050).
    public static let ribIPv4MulticastAddPath: UInt16 = 9
    /// RIB_IPV6_UNICAST_ADDPATH (RFC 8050).
    public static let ribIPv6UnicastAddPath: UInt16 = 10
    /// RIB_IPV6_MULTICAST_ADDPATH (RFC 8050).
    public static let ribIPv6MulticastAddPath: UInt16 = 11
    /// RIB_GENERIC_ADDPATH (RFC 8050).
    public static let ribGenericAddPath: UInt16 = 12
}

/// BGP4MP / BGP4MP_ET subtypes (RFC 6396 4.4, RFC 8050).
public enum BGP4MPSubtype {
    /// BGP4MP_STATE_CHANGE.
    public static let stateChange: UInt16 = 0
    /// BGP4MP_MESSAGE.
    public static let message: UInt16 = 1
    /// BGP4MP_ENTRY (old draft, not decoded).
    public static let entry: UInt16 = 2
    /// BGP4MP_SNAPSHOT (old draft, not decoded).
    public static let snapshot: UInt16 = 3
    /// BGP4MP_MESSAGE_AS4.
    public static let messageAS4: UInt16 = 4
    /// BGP4MP_STATE_CHANGE_AS4.
    public static let stateChangeAS4: UInt16 = 5
    /// BGP4MP_MESSAGE_LOCAL.
    public static let messageLocal: UInt16 = 6
    /// BGP4MP_MESSAGE_AS4_LOCAL.
    public static let messageAS4Local: UInt16 = 7
    /// BGP4MP_MESSAGE_ADDPATH (RFC 8050).
    public static let messageAddPath: UInt16 = 8
    /// BGP4MP_MESSAGE_AS4_ADDPATH (RFC 8050).
    public static let messageAS4AddPath: UInt16 = 9
    /// BGP4MP_MESSAGE_LOCAL_ADDPATH (RFC 8050).
    public static let messageLocalAddPath: UInt16 = 10
    /// BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH (RFC 8050).
    public static let messageAS4LocalAddPath: UInt16 = 11
}

/// The common header of an MRT record, and where the record sits in the input.
public struct MRTRecordHeader: Hashable, Sendable {
    /// Seconds since the Unix epoch.
    public var timestamp: UInt32
    /// Microseconds, for the `_ET` types; else 0.
    public var microseconds: UInt32
    /// The MRT type code.
    public var type: UInt16
    /// The MRT subtype code.
    public var subtype: UInt16
    /// Length of the body after the header (the microsecond field excluded).
    public var length: Int
    /// Offset of the record's first byte in the (decompressed) input.
    public var offset: UInt64
    /// 1-based position of the record among those read from the input.
    public var index: Int

    /// Header size in bytes: 12, or 16 for the `_ET` types.
    public var headerSize: Int { MRTType.hasExtendedTimestamp(type) ? 16 : 12 }

    /// Creates a header.
    public init(
        timestamp: UInt32, microseconds: UInt32 = 0, type: UInt16, subtype: UInt16, length: Int, offset: UInt64 = 0,
        index: Int = 0
    ) {
        self.timestamp = timestamp
        self.microseconds = microseconds
        self.type = type
        self.subtype = subtype
        self.length = length
        self.offset = offset
        self.index = index
    }

    /// True for type/subtype pairs that route collectors and routers are known to write.
    /// Used to tell a real record boundary from bytes of a torn one.
    public static func isKnown(type: UInt16, subtype: UInt16) -> Bool {
        switch type {
        case MRTType.bgp: return subtype <= 7
        case MRTType.tableDump: return subtype >= 1 && subtype <= 4
        case MRTType.tableDumpV2: return subtype >= 1 && subtype <= 12
        case MRTType.bgp4mp, MRTType.bgp4mpET: return subtype <= 11
        case MRTType.ospfv2, MRTType.ospfv3, MRTType.ospfv3ET: return subtype <= 1
        case MRTType.isis, MRTType.isisET: return subtype == 0
        default: return false
        }
    }

    /// The smallest body a record of this type/subtype can have; shorter ones are corrupt.
    public static func minimumLength(type: UInt16, subtype: UInt16) -> Int {
        switch type {
        case MRTType.bgp: return subtype == 3 ? 10 : (subtype == 1 ? 16 : 0)
        case MRTType.tableDump: return 22
        case MRTType.tableDumpV2: return subtype == 1 ? 8 : 7
        case MRTType.bgp4mp, MRTType.bgp4mpET:
            return subtype == BGP4MPSubtype.stateChange || subtype == BGP4MPSubtype.stateChangeAS4 ? 8 : 12
        default: return 0
        }
    }

    /// Record type name as bgpdump and RFC 6396 spell it.
    public var typeName: String { MRTType.name(type) }
}
