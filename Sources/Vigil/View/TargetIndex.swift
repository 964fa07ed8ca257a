import BGP

/// One index over the watched space of many targets: which targets a route may concern. A route is first
/// checked against the union of every target's space (the one binary search a single target costs), so
/// the millions of routes that concern no target cost the same whatever the number of targets; only a
/// route inside some target's space pays for finding which.
public struct TargetIndex: Sendable {
    /// The union of every target's watched prefixes.
    public let union: PrefixIndex
    /// Each family's target ranges.
    private let v4: TargetRanges
    private let v6: TargetRanges
    /// Targets per AS whose routes matter wherever they point: an expected upstream (its own prefixes are
    /// followed) or, for targets that learn their origins' routes, one of its ASes.
    private let byASN: [UInt32: [Int32]]
    /// True when some target needs the origin of every route.
    public let needsOrigin: Bool

    /// An index over `targets`; `learnsOrigins[i]` says whether target i learns its origins' routes.
    public init(_ targets: [Target], learnsOrigins: [Bool]) {
        var all: [IPPrefix] = []
        var ranges4: [(first: UInt128Value, last: UInt128Value, target: Int32)] = []
        var ranges6 = ranges4
        var byASN: [UInt32: [Int32]] = [:]
        var needsOrigin = false
        for (i, t) in targets.enumerated() {
            all += t.prefixes
            for p in t.prefixes {
                let (first, last) = TargetRanges.bounds(p)
                if p.family == .v4 {
                    ranges4.append((first, last, Int32(i)))
                } else {
                    ranges6.append((first, last, Int32(i)))
                }
            }
            var asns = Set(t.upstreams.keys)
            let learns = i < learnsOrigins.count && learnsOrigins[i] && !t.originASNs.isEmpty
            if learns { asns.formUnion(t.originASNs) }
            for a in asns { byASN[a, default: []].append(Int32(i)) }
            if !asns.isEmpty { needsOrigin = true }
        }
        union = PrefixIndex(all)
        v4 = TargetRanges(ranges4, v4: true)
        v6 = TargetRanges(ranges6, v4: false)
        for a in byASN.keys { asnFilter[Int(a & 0xF_FFFF) >> 6] |= 1 << UInt64(a & 63) }
        self.byASN = byASN
        self.needsOrigin = needsOrigin
    }

    /// True when the route may concern some target (most routes do not: one lookup says so).
    @inlinable
    public func mayConcern(prefix: IPPrefix, origin: UInt32?) -> Bool {
        if let origin, concernsASN(origin) { return true }
        return union.overlaps(prefix)
    }

    /// One bit per ASN modulo 2^20: most origins are no target's, and one load says so without hashing.
    @usableFromInline var asnFilter = [UInt64](repeating: 0, count: 1 << 14)

    @inlinable
    func concernsASN(_ asn: UInt32) -> Bool {
        asnFilter[Int(asn & 0xF_FFFF) >> 6] & (1 << UInt64(asn & 63)) != 0 && hasASN(asn)
    }

    @usableFromInline
    func hasASN(_ asn: UInt32) -> Bool { byASN[asn] != nil }

    /// Adds to `out` the targets whose watched space `prefix` overlaps, or whose ASes include `origin`
    /// (each once, in no particular order).
    public func targets(prefix: IPPrefix, origin: UInt32?, into out: inout [Int]) {
        if let origin, let ts = byASN[origin] { for t in ts where !out.contains(Int(t)) { out.append(Int(t)) } }
        guard union.overlaps(prefix) else { return }
        (prefix.family == .v4 ? v4 : v6).targets(overlapping: prefix, into: &out)
    }
}

/// Address ranges of one family tagged with their target, sorted by first address, with the largest last
/// address among each range and those before it (`reach`, never decreasing: a binary search over it finds
/// the first range that can reach an address).
private struct TargetRanges: Sendable {
    let ranges: [(first: UInt128Value, last: UInt128Value, target: Int32)]
    let reach: [UInt128Value]
    /// For IPv4 (many ranges): per /16 block, the first range whose reach gets into the block, so that a
    /// lookup searches a handful of ranges instead of all of them.
    let buckets: [Int32]

    init(_ unsorted: [(first: UInt128Value, last: UInt128Value, target: Int32)], v4: Bool) {
        ranges = unsorted.sorted { $0.first < $1.first }
        var reach: [UInt128Value] = []
        reach.reserveCapacity(ranges.count)
        for r in ranges { reach.append(reach.last.map { max($0, r.last) } ?? r.last) }
        self.reach = reach
        var buckets: [Int32] = []
        if v4 && ranges.count > 64 {
            buckets = Array(repeating: 0, count: 65537)
            var r = 0
            for block in 0...65536 {
                let start = UInt128Value(0, UInt64(block) << 16)
                while r < reach.count && reach[r] < start { r += 1 }
                buckets[block] = Int32(r)
            }
        }
        self.buckets = buckets
    }

    /// First and last address of a prefix, an IPv4 one in the low bits.
    static func bounds(_ p: IPPrefix) -> (UInt128Value, UInt128Value) {
        if p.family == .v4 {
            let first = p.address.v4
            let last = p.length == 0 ? UInt32.max : first | (UInt32.max >> UInt32(p.length))
            return (UInt128Value(0, UInt64(first)), UInt128Value(0, UInt64(last)))
        }
        let first = UInt128Value(p.address.high, p.address.low)
        return (first, first.lastAddress(length: Int(p.length)))
    }

    func targets(overlapping prefix: IPPrefix, into out: inout [Int]) {
        let (first, last) = Self.bounds(prefix)
        // Every range before the first one whose reach gets to `first` ends before it; from there on, the
        // ranges that start by `last` are the candidates.
        var lo = 0
        var hi = ranges.count
        if !buckets.isEmpty {
            let block = Int(first.low >> 16)
            lo = Int(buckets[block])
            hi = Int(buckets[block + 1])
        }
        while lo < hi {
            let mid = (lo + hi) / 2
            if reach[mid] < first { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < ranges.count && !(last < ranges[i].first) {
            let t = Int(ranges[i].target)
            if !(ranges[i].last < first), !out.contains(t) { out.append(t) }
            i += 1
        }
    }
}
