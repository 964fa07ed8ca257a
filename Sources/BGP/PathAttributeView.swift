/// A one-pass index over an encoded path-attribute block, pointing into the caller's bytes.
///
/// Decoding every attribute into arrays costs allocations per route; most consumers need a few
/// fields. The view records where each attribute lies and decodes fixed-size ones in place.
/// It borrows `bytes`: use it only while the buffer it came from is alive.
public struct PathAttributeView {
    /// The attribute block this view indexes.
    public let bytes: UnsafeRawBufferPointer
    /// AS number width on the session that sent the block (2 or 4).
    public var asnSize: Int { Int(asnWidth) }
    /// One bit per attribute type code below 64 that appeared.
    public private(set) var present: UInt64 = 0
    /// For TABLE_DUMP_V2 RIB entries: the family whose MP_REACH_NLRI is abbreviated to the next hop.
    public var abbreviatedMPReach: IPAddress.Family?

    // Compact storage: the view is copied into every element, so it holds no references and
    // keeps ranges as 32-bit pairs.
    private struct Slot {
        var start: UInt32 = .max
        var end: UInt32 = 0
        var range: Range<Int>? { start == .max ? nil : Int(start)..<Int(end) }
    }
    private let asnWidth: UInt8
    private var originValue: UInt8 = .max
    private var valid: UInt32 = 0  // bits: 0 next hop, 1 MED, 2 LOCAL_PREF, 3 AGGREGATOR, 4 AS4_AGGREGATOR
    private var nextHopValue: UInt32 = 0
    private var medValue: UInt32 = 0
    private var localPrefValue: UInt32 = 0
    private var aggregatorValue: (UInt32, UInt32) = (0, 0)
    private var as4AggregatorValue: (UInt32, UInt32) = (0, 0)
    private var asPathSlot = Slot()
    private var as4PathSlot = Slot()
    private var communitiesSlot = Slot()
    private var largeCommunitiesSlot = Slot()
    private var extendedCommunitiesSlot = Slot()
    private var mpReachSlot = Slot()
    private var mpUnreachSlot = Slot()
    private var errorOffset: Int32 = -1
    private var errorType: UInt8 = 0
    private var errorIsTruncation = false
    private var errorNeeded: UInt16 = 0
    private var errorAvailable: UInt16 = 0
    private var malformed: UInt16 = 0

    /// ORIGIN, when present and well formed.
    public var origin: RouteOrigin? { RouteOrigin(rawValue: originValue) }
    /// Value range of AS_PATH.
    public var asPath: Range<Int>? { asPathSlot.range }
    /// Value range of AS4_PATH.
    public var as4Path: Range<Int>? { as4PathSlot.range }
    /// NEXT_HOP as an IPv4 value.
    public var nextHop: UInt32? { valid & 1 != 0 ? nextHopValue : nil }
    /// MULTI_EXIT_DISC.
    public var med: UInt32? { valid & 2 != 0 ? medValue : nil }
    /// LOCAL_PREF.
    public var localPref: UInt32? { valid & 4 != 0 ? localPrefValue : nil }
    /// AGGREGATOR as (AS, IPv4 address).
    public var aggregator: (asn: UInt32, address: UInt32)? { valid & 8 != 0 ? aggregatorValue : nil }
    /// AS4_AGGREGATOR as (AS, IPv4 address).
    public var as4Aggregator: (asn: UInt32, address: UInt32)? { valid & 16 != 0 ? as4AggregatorValue : nil }
    /// Value range of COMMUNITIES.
    public var communities: Range<Int>? { communitiesSlot.range }
    /// Value range of LARGE_COMMUNITY.
    public var largeCommunities: Range<Int>? { largeCommunitiesSlot.range }
    /// Value range of EXTENDED_COMMUNITIES.
    public var extendedCommunities: Range<Int>? { extendedCommunitiesSlot.range }
    /// Value range of MP_REACH_NLRI.
    public var mpReach: Range<Int>? { mpReachSlot.range }
    /// Value range of MP_UNREACH_NLRI.
    public var mpUnreach: Range<Int>? { mpUnreachSlot.range }
    /// How many attributes were malformed (wrong length for their type, or cut off).
    public var malformedCount: Int { Int(malformed) }

    /// The first problem found; attributes after a framing error are not indexed.
    public var error: BGPDecodingError? {
        guard errorOffset >= 0 else { return nil }
        if errorIsTruncation {
            let what = errorType == 0 ? "path attribute header" : "path attribute \(errorType)"
            return .truncated(what, needed: Int(errorNeeded), available: Int(errorAvailable), at: Int(errorOffset))
        }
        return .invalid("path attribute \(errorType) has a wrong length", at: Int(errorOffset))
    }

    /// An empty view (no attributes).
    public init() {
        bytes = UnsafeRawBufferPointer(start: nil, count: 0)
        asnWidth = 4
    }

    /// Indexes the attribute block `bytes` sent on a session with `asnSize`-byte AS numbers.
    public init(parsing bytes: UnsafeRawBufferPointer, asnSize: Int) {
        self.bytes = bytes
        self.asnWidth = UInt8(truncatingIfNeeded: asnSize)
        var offset = 0
        let end = bytes.count
        while offset < end {
            guard end - offset >= 3 else {
                truncated(type: 0, needed: 3, available: end - offset, at: offset)
                return
            }
            let flags = bytes[offset]
            let type = bytes[offset + 1]
            var length: Int
            var header = 3
            if flags & PathAttributeType.flagExtendedLength != 0 {
                guard end - offset >= 4 else {
                    truncated(type: 0, needed: 4, available: end - offset, at: offset)
                    return
                }
                length = Int(bytes.u16(offset + 2))
                header = 4
            } else {
                length = Int(bytes[offset + 2])
            }
            let start = offset + header
            guard end - start >= length else {
                truncated(type: type, needed: length, available: end - start, at: start)
                return
            }
            index(type: type, start: start, length: length)
            offset = start + length
        }
    }

    private mutating func truncated(type: UInt8, needed: Int, available: Int, at offset: Int) {
        if errorOffset < 0 {
            errorOffset = Int32(truncatingIfNeeded: offset)
            errorType = type
            errorIsTruncation = true
            errorNeeded = UInt16(truncatingIfNeeded: needed)
            errorAvailable = UInt16(truncatingIfNeeded: available)
        }
        malformed &+= 1
    }

    private mutating func wrongLength(_ type: UInt8, _ start: Int) {
        if errorOffset < 0 {
            errorOffset = Int32(truncatingIfNeeded: start)
            errorType = type
        }
        malformed &+= 1
    }

    @inline(__always)
    private mutating func index(type: UInt8, start at: Int, length n: Int) {
        if type < 64 { present |= 1 << UInt64(type) }
        let slot = Slot(start: UInt32(truncatingIfNeeded: at), end: UInt32(truncatingIfNeeded: at + n))
        switch type {
        case PathAttributeType.origin:
            if n == 1 && bytes[at] <= 2 { originValue = bytes[at] } else { wrongLength(type, at) }
        case PathAttributeType.asPath: asPathSlot = slot
        case PathAttributeType.as4Path: as4PathSlot = slot
        case PathAttributeType.nextHop:
            if n == 4 {
                nextHopValue = bytes.u32(at)
                valid |= 1
            } else {
                wrongLength(type, at)
            }
        case PathAttributeType.multiExitDisc:
            if n == 4 {
                medValue = bytes.u32(at)
                valid |= 2
            } else {
                wrongLength(type, at)
            }
        case PathAttributeType.localPref:
            if n == 4 {
                localPrefValue = bytes.u32(at)
                valid |= 4
            } else {
                wrongLength(type, at)
            }
        case PathAttributeType.aggregator:
            if n == 8 {
                aggregatorValue = (bytes.u32(at), bytes.u32(at + 4))
                valid |= 8
            } else if n == 6 {
                aggregatorValue = (UInt32(bytes.u16(at)), bytes.u32(at + 2))
                valid |= 8
            } else {
                wrongLength(type, at)
            }
        case PathAttributeType.as4Aggregator:
            if n == 8 {
                as4AggregatorValue = (bytes.u32(at), bytes.u32(at + 4))
                valid |= 16
            } else {
                wrongLength(type, at)
            }
        case PathAttributeType.communities:
            if n % 4 == 0 { communitiesSlot = slot } else { wrongLength(type, at) }
        case PathAttributeType.largeCommunities:
            if n % 12 == 0 { largeCommunitiesSlot = slot } else { wrongLength(type, at) }
        case PathAttributeType.extendedCommunities:
            if n % 8 == 0 { extendedCommunitiesSlot = slot } else { wrongLength(type, at) }
        case PathAttributeType.mpReachNLRI: if mpReachSlot.start == .max { mpReachSlot = slot }
        case PathAttributeType.mpUnreachNLRI: if mpUnreachSlot.start == .max { mpUnreachSlot = slot }
        default: break
        }
    }

    /// True when an attribute of `type` (below 64) appeared.
    public func has(_ type: UInt8) -> Bool { type < 64 && present & (1 << UInt64(type)) != 0 }

    /// True when ATOMIC_AGGREGATE appeared.
    public var atomicAggregate: Bool { has(PathAttributeType.atomicAggregate) }

    /// The effective origin AS: from AS4_PATH merged into AS_PATH on 2-byte sessions (RFC 6793),
    /// else the last AS of AS_PATH; nil when the path is empty or ends in an AS_SET.
    public var originASN: UInt32? {
        guard let asPath else { return nil }
        if asnSize == 2, let as4Path, useAS4Path,
            let o = ASPathView(bytes: bytes, range: as4Path, asnSize: 4).lastSequenceASN
        {
            return o
        }
        return ASPathView(bytes: bytes, range: asPath, asnSize: asnSize).lastSequenceASN
    }

    /// The origin AS and the AS just before it once prepending is collapsed (the route's upstream), with
    /// AS4_PATH applied as in `originASN`; nil when the path is empty or ends in an AS_SET.
    public var originAndUpstream: (origin: UInt32, upstream: UInt32?)? {
        guard let asPath else { return nil }
        let plain = ASPathView(bytes: bytes, range: asPath, asnSize: asnSize).lastTwoDistinct
        if asnSize == 2, let as4Path, useAS4Path,
            let four = ASPathView(bytes: bytes, range: as4Path, asnSize: 4).lastTwoDistinct
        {
            // AS4_PATH holds the tail of the path; the AS_PATH part before it supplies a missing upstream.
            return (four.origin, four.upstream ?? plain.flatMap { $0.origin == four.origin ? $0.upstream : $0.origin })
        }
        return plain
    }

    /// The whole AS path, neighbour first, prepends collapsed (AS4_PATH merged in for 2-byte sessions);
    /// nil without a path, with an AS_SET in it, or when it is malformed.
    public var collapsedPath: [UInt32]? {
        guard let asPath else { return nil }
        if useAS4Path {
            return (try? materialize())?.effectiveASPath?.collapsedSequence
        }
        return ASPathView(bytes: bytes, range: asPath, asnSize: asnSize).collapsedSequence
    }

    /// RFC 6793 4.2.3: AS4_PATH and AS4_AGGREGATOR are ignored when AGGREGATOR holds a real AS.
    public var useAS4Path: Bool {
        guard as4Path != nil, asnSize == 2 else { return false }
        if let aggregator, as4Aggregator != nil, aggregator.asn != 23456 { return false }
        return true
    }

    /// Decodes every indexed attribute into owned values.
    public func materialize() throws(BGPDecodingError) -> PathAttributes {
        try PathAttributes(parsing: bytes, asnSize: asnSize, abbreviatedMPReach: abbreviatedMPReach)
    }
}

/// Reads an AS path in place without building arrays.
public struct ASPathView {
    let bytes: UnsafeRawBufferPointer
    let range: Range<Int>
    let asnSize: Int

    /// A view of the AS path stored at `bytes[range]`.
    public init(bytes: UnsafeRawBufferPointer, range: Range<Int>, asnSize: Int) {
        self.bytes = bytes
        self.range = range
        self.asnSize = asnSize
    }

    /// The last AS of the path when the final segment is an AS_SEQUENCE; nil otherwise or when malformed.
    public var lastSequenceASN: UInt32? {
        var offset = range.lowerBound
        var result: UInt32?
        while offset < range.upperBound {
            guard range.upperBound - offset >= 2 else { return nil }
            let kind = bytes[offset]
            let count = Int(bytes[offset + 1])
            let next = offset + 2 + count * asnSize
            guard next <= range.upperBound else { return nil }
            if kind == ASPathSegment.Kind.sequence.rawValue, count > 0 {
                let at = next - asnSize
                result = asnSize == 4 ? bytes.u32(at) : UInt32(bytes.u16(at))
            } else if kind == ASPathSegment.Kind.set.rawValue {
                result = nil
            }
            offset = next
        }
        return result
    }

    /// Visits the path's ASes in order: each AS of an AS_SEQUENCE, nil for an AS_SET (confederation
    /// segments are left out). Returns false when the path is malformed (a segment runs past its end).
    @inline(__always)
    func forEachAS(_ body: (UInt32?) -> Void) -> Bool {
        var offset = range.lowerBound
        while offset < range.upperBound {
            guard range.upperBound - offset >= 2 else { return false }
            let kind = bytes[offset]
            let count = Int(bytes[offset + 1])
            let next = offset + 2 + count * asnSize
            guard next <= range.upperBound else { return false }
            if kind == ASPathSegment.Kind.sequence.rawValue {
                var at = offset + 2
                while at < next {
                    body(asnSize == 4 ? bytes.u32(at) : UInt32(bytes.u16(at)))
                    at += asnSize
                }
            } else if kind == ASPathSegment.Kind.set.rawValue {
                body(nil)
            }
            offset = next
        }
        return true
    }

    /// The origin and the AS before it (`PathEnds`' rule); nil when the path is empty, ends in an AS_SET
    /// or is malformed.
    public var lastTwoDistinct: (origin: UInt32, upstream: UInt32?)? {
        var ends = PathEnds()
        guard forEachAS({ asn in if let asn { ends.append(asn) } else { ends.appendSet() } }),
            let origin = ends.origin
        else { return nil }
        return (origin, ends.upstream)
    }

    /// The path's ASes in order with prepends collapsed and confederation segments left out; nil when it
    /// holds an AS_SET or is malformed.
    public var collapsedSequence: [UInt32]? {
        var out: [UInt32] = []
        out.reserveCapacity(8)
        var hasSet = false
        guard
            forEachAS({ asn in
                if let asn {
                    if asn != out.last { out.append(asn) }
                } else {
                    hasSet = true
                }
            }), !hasSet
        else { return nil }
        return out
    }

    /// Decodes the path into segments.
    public func decode() throws(BGPDecodingError) -> ASPath {
        try ASPath(parsing: UnsafeRawBufferPointer(rebasing: bytes[range]), asnSize: asnSize)
    }
}
