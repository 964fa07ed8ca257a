import Testing
import VigilTesting

@testable import BGP

/// Origin and upstream of AS paths worked out by hand, through the one rule (`PathEnds`) and through the
/// wire view that applies it to AS_PATH bytes.
@Suite(.ownThread) struct PathEndsTests {
    /// AS_PATH bytes with 4-byte ASes: each segment is (type, ASes); 2 is AS_SEQUENCE, 1 AS_SET.
    static func wire(_ segments: [(UInt8, [UInt32])]) -> [UInt8] {
        var out: [UInt8] = []
        for (kind, ases) in segments {
            out += [kind, UInt8(ases.count)]
            for a in ases { out += [UInt8(a >> 24), UInt8(a >> 16 & 0xFF), UInt8(a >> 8 & 0xFF), UInt8(a & 0xFF)] }
        }
        return out
    }

    static func ends(_ segments: [(UInt8, [UInt32])]) -> (origin: UInt32, upstream: UInt32?)? {
        let bytes = wire(segments)
        return bytes.withUnsafeBytes { ASPathView(bytes: $0, range: 0..<bytes.count, asnSize: 4).lastTwoDistinct }
    }

    @Test("prepends collapse: 64500 4837 4837 131279 131279 has origin 131279 via 4837")
    func prepends() {
        var e = PathEnds()
        for a: UInt32 in [64500, 4837, 4837, 131279, 131279] { e.append(a) }
        #expect(e.origin == 131279 && e.upstream == 4837)
        let wire = Self.ends([(2, [64500, 4837, 4837]), (2, [131279, 131279])])
        #expect(wire?.origin == 131279 && wire?.upstream == 4837)
    }

    @Test("a path ending in an AS_SET has no origin; a sequence after a set has no upstream")
    func sets() {
        var e = PathEnds()
        e.append(4837)
        e.appendSet()
        #expect(e.origin == nil && e.upstream == nil)
        e.append(131279)
        #expect(e.origin == 131279 && e.upstream == nil)
        #expect(Self.ends([(2, [4837]), (1, [131279, 64500])]) == nil)
        let after = Self.ends([(1, [64500, 64501]), (2, [131279])])
        #expect(after?.origin == 131279 && after?.upstream == nil)
    }

    @Test("one AS: an origin without an upstream; a malformed segment: nothing")
    func edges() {
        let one = Self.ends([(2, [131279, 131279])])
        #expect(one?.origin == 131279 && one?.upstream == nil)
        var bytes = Self.wire([(2, [4837, 131279])])
        bytes[1] = 3  // says three ASes, holds two
        let broken = bytes.withUnsafeBytes {
            ASPathView(bytes: $0, range: 0..<bytes.count, asnSize: 4).lastTwoDistinct
        }
        #expect(broken == nil)
        let collapsed = Self.wire([(2, [64500, 4837, 4837, 131279])]).withUnsafeBytes {
            ASPathView(bytes: $0, range: 0..<$0.count, asnSize: 4).collapsedSequence
        }
        #expect(collapsed == [64500, 4837, 131279])
    }
}
