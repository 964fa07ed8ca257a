/// One entry of an NLRI list: a prefix and, on ADD-PATH sessions (RFC 7911), its path identifier.
public struct NLRI: Hashable, Sendable {
    /// The announced or withdrawn prefix.
    public var prefix: IPPrefix
    /// The ADD-PATH path identifier, when the session negotiated ADD-PATH.
    public var pathID: UInt32?

    /// Creates an entry.
    public init(prefix: IPPrefix, pathID: UInt32? = nil) {
        self.prefix = prefix
        self.pathID = pathID
    }
}

/// Walks an encoded NLRI list (RFC 4271 section 4.3) without allocating.
///
/// Stops at the first malformed entry and keeps the reason in `error`, so a caller can use
/// everything before it and report the rest.
public struct NLRIIterator: IteratorProtocol {
    let bytes: UnsafeRawBufferPointer
    var offset: Int
    let end: Int
    let family: IPAddress.Family
    let addPath: Bool
    /// Why iteration stopped early, if it did.
    public private(set) var error: BGPDecodingError?

    /// Iterates the NLRI in `bytes[range]` for `family`; `addPath` when each entry carries a path id.
    public init(bytes: UnsafeRawBufferPointer, range: Range<Int>, family: IPAddress.Family, addPath: Bool) {
        self.bytes = bytes
        self.offset = range.lowerBound
        self.end = Swift.min(range.upperBound, bytes.count)
        self.family = family
        self.addPath = addPath
    }

    public mutating func next() -> NLRI? {
        guard offset < end, error == nil else { return nil }
        var pathID: UInt32?
        if addPath {
            guard end - offset >= 4 else {
                error = .truncated("NLRI path identifier", needed: 4, available: end - offset, at: offset)
                return nil
            }
            pathID = bytes.u32(offset)
            offset += 4
            guard offset < end else {
                error = .truncated("NLRI prefix length", needed: 1, available: 0, at: offset)
                return nil
            }
        }
        let bits = Int(bytes[offset])
        guard bits <= family.bitWidth else {
            error = .invalid("NLRI prefix length \(bits) exceeds \(family.bitWidth)", at: offset)
            return nil
        }
        let count = (bits + 7) / 8
        guard end - offset - 1 >= count else {
            error = .truncated("NLRI prefix", needed: count, available: end - offset - 1, at: offset + 1)
            return nil
        }
        let address = IPAddress(family: family, bytes: bytes, offset: offset + 1, count: count)
        offset += 1 + count
        return NLRI(prefix: IPPrefix(address: address, length: bits), pathID: pathID)
    }

    /// True when `bytes[range]` is a complete, valid NLRI list in this encoding. Walks lengths only.
    public static func isWellFormed(
        _ bytes: UnsafeRawBufferPointer, range: Range<Int>, family: IPAddress.Family, addPath: Bool
    ) -> Bool {
        var offset = range.lowerBound
        let end = min(range.upperBound, bytes.count)
        let skip = addPath ? 4 : 0
        while offset < end {
            offset += skip
            guard offset < end else { return false }
            let bits = Int(bytes[offset])
            guard bits <= family.bitWidth else { return false }
            offset += 1 + (bits + 7) / 8
        }
        return offset == end
    }

    /// Whether to read a list as ADD-PATH: as declared, or, when the list is malformed as declared
    /// but well formed with path identifiers, as ADD-PATH anyway. Some speakers (BIRD's MRT dumps,
    /// for one) write ADD-PATH NLRI in records whose subtype does not say so.
    public static func detectAddPath(
        _ bytes: UnsafeRawBufferPointer, range: Range<Int>, family: IPAddress.Family, declared: Bool
    ) -> Bool {
        if declared || range.isEmpty { return declared }
        if isWellFormed(bytes, range: range, family: family, addPath: false) { return false }
        return isWellFormed(bytes, range: range, family: family, addPath: true)
    }

    /// Decodes the whole list into an array, throwing at the first malformed entry.
    public static func decodeAll(
        _ bytes: UnsafeRawBufferPointer, range: Range<Int>, family: IPAddress.Family, addPath: Bool
    ) throws(BGPDecodingError) -> [NLRI] {
        var iterator = NLRIIterator(bytes: bytes, range: range, family: family, addPath: addPath)
        var result: [NLRI] = []
        while let entry = iterator.next() { result.append(entry) }
        if let error = iterator.error { throw error }
        return result
    }
}
