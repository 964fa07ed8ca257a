import BGP

/// Answers "does this prefix touch the watched space?" in O(log n) without allocating, so the routing
/// view can drop the millions of routes that do not concern the target at the cost of a binary search.
public struct PrefixIndex: Sendable {
    /// Disjoint, sorted address ranges (first, last) covering the watched prefixes, per family.
    @usableFromInline var v4: [(UInt32, UInt32)] = []
    @usableFromInline var v6: [(UInt128Value, UInt128Value)] = []
    /// For large IPv4 sets: per /16 block, the first range that ends in or after it, so that a lookup
    /// searches a handful of ranges instead of all of them.
    @usableFromInline var v4Buckets: [Int32] = []
    /// One bit per block of the address space (IPv4: /16; IPv6: the top 16 bits) that a watched range
    /// touches. Nearly every route on a full feed lands in an unmarked block, and is rejected by one load.
    @usableFromInline var v4Blocks: [UInt64] = Array(repeating: 0, count: 1024)
    @usableFromInline var v6Blocks: [UInt64] = Array(repeating: 0, count: 1024)

    /// An index over `prefixes`.
    public init(_ prefixes: [IPPrefix]) {
        var ranges4: [(UInt32, UInt32)] = []
        var ranges6: [(UInt128Value, UInt128Value)] = []
        for p in prefixes {
            if p.family == .v4 {
                let first = p.address.v4
                let last = p.length == 0 ? UInt32.max : first | (UInt32.max >> UInt32(p.length))
                ranges4.append((first, last))
            } else {
                let first = UInt128Value(p.address.high, p.address.low)
                ranges6.append((first, first.lastAddress(length: Int(p.length))))
            }
        }
        v4 = Self.merge(ranges4)
        v6 = Self.merge(ranges6)
        for (first, last) in v4 { Self.mark(&v4Blocks, Int(first >> 16), Int(last >> 16)) }
        for (first, last) in v6 { Self.mark(&v6Blocks, Int(first.high >> 48), Int(last.high >> 48)) }
        if v4.count > 64 {
            v4Buckets = Array(repeating: 0, count: 65537)
            var r = 0
            for block in 0...65536 {
                let blockStart = UInt32(truncatingIfNeeded: block) << 16
                while block < 65536 && r < v4.count && v4[r].1 < blockStart { r += 1 }
                v4Buckets[block] = Int32(block == 65536 ? v4.count : r)
            }
        }
    }

    /// True when `prefix` overlaps any watched prefix (inside one, equal to one, or covering one).
    @inlinable
    public func overlaps(_ prefix: IPPrefix) -> Bool {
        if prefix.family == .v4 {
            let first = prefix.address.v4
            // A /16 or longer lies inside one block: an unmarked block settles it.
            if prefix.length >= 16 && !Self.isMarked(v4Blocks, Int(first >> 16)) { return false }
            let last = prefix.length == 0 ? UInt32.max : first | (UInt32.max >> UInt32(prefix.length))
            if !v4Buckets.isEmpty {
                // The first range ending at or after `first` lies between these two bucket bounds.
                let block = Int(first >> 16)
                var lo = Int(v4Buckets[block])
                let hi = Int(v4Buckets[block + 1])
                while lo < hi && v4[lo].1 < first { lo += 1 }
                return lo < v4.count && v4[lo].0 <= last
            }
            return Self.search(v4, first, last)
        }
        if prefix.length >= 16 && !Self.isMarked(v6Blocks, Int(prefix.address.high >> 48)) { return false }
        let first = UInt128Value(prefix.address.high, prefix.address.low)
        return Self.search(v6, first, first.lastAddress(length: Int(prefix.length)))
    }

    @inlinable
    static func isMarked(_ bits: [UInt64], _ block: Int) -> Bool {
        bits[block >> 6] & (1 << UInt64(block & 63)) != 0
    }

    private static func mark(_ bits: inout [UInt64], _ from: Int, _ to: Int) {
        for block in from...to { bits[block >> 6] |= 1 << UInt64(block & 63) }
    }

    private static func merge<T: Comparable>(_ ranges: [(T, T)]) -> [(T, T)] {
        var out: [(T, T)] = []
        for r in ranges.sorted(by: { $0.0 < $1.0 }) {
            if let last = out.last, r.0 <= last.1 {
                out[out.count - 1].1 = max(last.1, r.1)
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// Binary search for a range that intersects [first, last].
    @usableFromInline
    static func search<T: Comparable>(_ ranges: [(T, T)], _ first: T, _ last: T) -> Bool {
        var lo = 0
        var hi = ranges.count
        // Find the first range whose end is >= first.
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].1 < first { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count && ranges[lo].0 <= last
    }
}

/// A 128-bit address value for IPv6 range arithmetic.
@usableFromInline
struct UInt128Value: Comparable, Sendable {
    @usableFromInline var high: UInt64
    @usableFromInline var low: UInt64

    @usableFromInline
    init(_ high: UInt64, _ low: UInt64) {
        self.high = high
        self.low = low
    }

    @usableFromInline
    func lastAddress(length: Int) -> UInt128Value {
        if length <= 0 { return UInt128Value(.max, .max) }
        if length < 64 { return UInt128Value(high | (UInt64.max >> UInt64(length)), .max) }
        if length >= 128 { return self }
        return UInt128Value(high, low | (length == 64 ? .max : UInt64.max >> UInt64(length - 64)))
    }

    @usableFromInline
    static func < (a: UInt128Value, b: UInt128Value) -> Bool { a.high != b.high ? a.high < b.high : a.low < b.low }
}
