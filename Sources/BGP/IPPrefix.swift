/// An IP prefix (address and length) whose host bits are always zero.
///
/// Stray bits past the length, as some routers send them in NLRI, are masked on construction
/// (the `nlri_mask_trailing_bits` case), so two prefixes compare equal when they cover the same space.
public struct IPPrefix: Hashable, Sendable, Comparable {
    /// The network address, host bits cleared.
    public let address: IPAddress
    /// The prefix length in bits (0...32 for IPv4, 0...128 for IPv6).
    public let length: UInt8

    /// Builds a prefix, clamping the length to the family's width and clearing host bits.
    public init(address: IPAddress, length: Int) {
        let width = address.family.bitWidth
        let len = Swift.max(0, Swift.min(length, width))
        self.length = UInt8(len)
        self.address = IPPrefix.mask(address, length: len)
    }

    /// The address family of the prefix.
    public var family: IPAddress.Family { address.family }

    static func mask(_ address: IPAddress, length: Int) -> IPAddress {
        if address.family == .v4 {
            let m: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            return IPAddress(v4: address.v4 & m)
        }
        let hiMask: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
        let loLen = length - 64
        let loMask: UInt64 = loLen <= 0 ? 0 : (loLen >= 64 ? ~0 : ~UInt64(0) << UInt64(64 - loLen))
        return IPAddress(v6High: address.high & hiMask, low: address.low & loMask)
    }

    /// True when `other` lies inside this prefix (equal or more specific).
    public func contains(_ other: IPPrefix) -> Bool {
        guard other.family == family, other.length >= length else { return false }
        return IPPrefix.mask(other.address, length: Int(length)) == address
    }

    /// True when `address` lies inside this prefix.
    public func contains(_ address: IPAddress) -> Bool {
        guard address.family == family else { return false }
        return IPPrefix.mask(address, length: Int(length)) == self.address
    }

    /// True when the two prefixes share any address (one contains the other).
    public func overlaps(_ other: IPPrefix) -> Bool { contains(other) || other.contains(self) }

    /// One or two words instead of four: prefixes key the routing view's tables, hashed on every update.
    public func hash(into hasher: inout Hasher) {
        if address.family == .v4 {
            hasher.combine(address.low | UInt64(length) << 32)
        } else {
            hasher.combine(address.high)
            hasher.combine(address.low ^ UInt64(length) << 56 ^ 0x8000_0000_0000_0000)
        }
    }

    public static func == (lhs: IPPrefix, rhs: IPPrefix) -> Bool {
        lhs.length == rhs.length && lhs.address == rhs.address
    }

    public static func < (lhs: IPPrefix, rhs: IPPrefix) -> Bool {
        if lhs.address != rhs.address { return lhs.address < rhs.address }
        return lhs.length < rhs.length
    }
}

extension IPPrefix: CustomStringConvertible, LosslessStringConvertible {
    /// Parses `address/length`; a bare address is a host prefix (/32 or /128).
    public init?(_ text: String) {
        let utf8 = text.utf8
        guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else {
            guard let address = IPAddress(Substring(text)) else { return nil }
            self.init(address: address, length: address.family.bitWidth)
            return
        }
        var length = 0
        var digits = 0
        for byte in utf8[utf8.index(after: slash)...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 3 else { return nil }
            length = length * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0, let address = IPAddress(Substring(text)[..<slash]), length <= address.family.bitWidth else {
            return nil
        }
        self.init(address: address, length: length)
    }

    /// `address/length`.
    public var description: String { "\(address)/\(length)" }
}
