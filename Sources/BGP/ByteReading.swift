/// Big-endian reads from raw bytes. Callers check bounds first: these helpers never do,
/// so the decoders that use them validate every length before they read.
extension UnsafeRawBufferPointer {
    /// The byte at `offset`.
    @inlinable @inline(__always)
    public func u8(_ offset: Int) -> UInt8 { self[offset] }

    /// The big-endian 16-bit value at `offset`.
    @inlinable @inline(__always)
    public func u16(_ offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }

    /// The big-endian 32-bit value at `offset`.
    @inlinable @inline(__always)
    public func u32(_ offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }

    /// The big-endian 64-bit value at `offset`.
    @inlinable @inline(__always)
    public func u64(_ offset: Int) -> UInt64 { UInt64(u32(offset)) << 32 | UInt64(u32(offset + 4)) }

    /// The 16-byte IPv6 address at `offset`.
    @inlinable @inline(__always)
    public func ipv6(_ offset: Int) -> IPAddress { IPAddress(v6High: u64(offset), low: u64(offset + 8)) }

    /// The 4-byte IPv4 address at `offset`.
    @inlinable @inline(__always)
    public func ipv4(_ offset: Int) -> IPAddress { IPAddress(v4: u32(offset)) }
}
