/// An IPv4 or IPv6 address as a plain value: two 64-bit words, no heap storage.
///
/// BGP data carries millions of addresses; keeping them inline makes elements cheap to copy
/// and lets hot paths avoid allocation. IPv4 addresses live in the low 32 bits of `low`.
public struct IPAddress: Hashable, Sendable, Comparable {
    /// The address family.
    public enum Family: UInt8, Sendable, Hashable, Comparable {
        case v4 = 4
        case v6 = 6

        /// Bits in an address of this family.
        public var bitWidth: Int { self == .v4 ? 32 : 128 }

        public static func < (lhs: Family, rhs: Family) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The address family.
    public let family: Family
    /// The high 64 bits of an IPv6 address; zero for IPv4.
    public let high: UInt64
    /// The low 64 bits of an IPv6 address, or the IPv4 address in its low 32 bits.
    public let low: UInt64

    /// An IPv4 address from its 32-bit value in host order (`0xC0000201` is 192.0.2.1).
    public init(v4 value: UInt32) {
        family = .v4
        high = 0
        low = UInt64(value)
    }

    /// An IPv6 address from its two 64-bit halves in host order.
    public init(v6High high: UInt64, low: UInt64) {
        family = .v6
        self.high = high
        self.low = low
    }

    /// The IPv4 value; meaningful only when `family == .v4`.
    public var v4: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// The IPv4 address of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, RFC 4291 2.5.5.2), else nil.
    public var unmappedIPv4: IPAddress? {
        guard family == .v6, high == 0, low >> 32 == 0xFFFF else { return nil }
        return IPAddress(v4: UInt32(truncatingIfNeeded: low))
    }

    /// The unspecified address of a family (0.0.0.0 or ::).
    public static func zero(_ family: Family) -> IPAddress {
        family == .v4 ? IPAddress(v4: 0) : IPAddress(v6High: 0, low: 0)
    }

    /// Byte `index` (0 is the most significant) of the address in network order.
    public func byte(_ index: Int) -> UInt8 {
        if family == .v4 { return UInt8(truncatingIfNeeded: v4 >> UInt32(24 - 8 * index)) }
        let word = index < 8 ? high : low
        return UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * (index & 7)))
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.family != rhs.family { return lhs.family < rhs.family }
        if lhs.high != rhs.high { return lhs.high < rhs.high }
        return lhs.low < rhs.low
    }
}

extension IPAddress {
    /// Reads an address of `family` from up to `count` bytes at `offset`, zero-filling missing
    /// trailing bytes (the NLRI encoding sends only the bytes a prefix needs).
    @inlinable
    public init(family: Family, bytes: UnsafeRawBufferPointer, offset: Int, count: Int) {
        let width = family == .v4 ? 4 : 16
        let n = Swift.min(count, width, Swift.max(0, bytes.count - offset))
        if family == .v4 {
            var value: UInt32 = 0
            for i in 0..<n { value |= UInt32(bytes[offset + i]) << UInt32(24 - 8 * i) }
            self.init(v4: value)
        } else {
            var hi: UInt64 = 0
            var lo: UInt64 = 0
            for i in 0..<n {
                let b = UInt64(bytes[offset + i])
                if i < 8 { hi |= b << UInt64(56 - 8 * i) } else { lo |= b << UInt64(56 - 8 * (i - 8)) }
            }
            self.init(v6High: hi, low: lo)
        }
    }
}
