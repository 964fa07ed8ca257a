/// A standard community (RFC 1997): two 16-bit halves.
public struct Community: Hashable, Sendable, CustomStringConvertible {
    /// The 32-bit wire value.
    public var value: UInt32

    /// Creates a community from its wire value.
    public init(_ value: UInt32) { self.value = value }

    /// Creates a community from its `asn:value` halves.
    public init(asn: UInt16, value: UInt16) { self.value = UInt32(asn) << 16 | UInt32(value) }

    /// The high half (conventionally an AS number).
    public var asn: UInt16 { UInt16(value >> 16) }
    /// The low half.
    public var local: UInt16 { UInt16(value & 0xFFFF) }

    /// NO_EXPORT (RFC 1997).
    public static let noExport = Community(0xFFFF_FF01)
    /// NO_ADVERTISE (RFC 1997).
    public static let noAdvertise = Community(0xFFFF_FF02)
    /// NO_EXPORT_SUBCONFED (RFC 1997; bgpdump calls it local-AS).
    public static let noExportSubconfed = Community(0xFFFF_FF03)

    /// `asn:value`, the form used by RIS Live and bgpkit.
    public var description: String { "\(asn):\(local)" }
}

/// A large community (RFC 8092): three 32-bit parts.
public struct LargeCommunity: Hashable, Sendable, CustomStringConvertible {
    /// The AS that defined the community.
    public var globalAdministrator: UInt32
    /// First operator-defined part.
    public var localData1: UInt32
    /// Second operator-defined part.
    public var localData2: UInt32

    /// Creates a large community.
    public init(_ global: UInt32, _ local1: UInt32, _ local2: UInt32) {
        globalAdministrator = global
        localData1 = local1
        localData2 = local2
    }

    /// `global:local1:local2`.
    public var description: String { "\(globalAdministrator):\(localData1):\(localData2)" }
}

/// An attribute Vigil does not interpret, kept as raw bytes with its flags.
public struct RawPathAttribute: Hashable, Sendable {
    /// The attribute flags octet.
    public var flags: UInt8
    /// The attribute type code.
    public var type: UInt8
    /// The attribute value.
    public var value: [UInt8]

    /// Creates a raw attribute.
    public init(flags: UInt8, type: UInt8, value: [UInt8]) {
        self.flags = flags
        self.type = type
        self.value = value
    }
}

/// AGGREGATOR / AS4_AGGREGATOR: the AS and router that aggregated the route.
public struct Aggregator: Hashable, Sendable {
    /// The AS number.
    public var asn: UInt32
    /// The address.
    public var address: IPAddress

    /// Creates an aggregator value.
    public init(asn: UInt32, address: IPAddress) {
        self.asn = asn
        self.address = address
    }
}
