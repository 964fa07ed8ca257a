import BGP
import Testing
import VigilTesting

@testable import Vigil

/// `TargetIndex` against hand-worked answers: which targets' space a route touches (inside, equal,
/// covering; nested and overlapping targets; both families), and which targets an origin AS concerns.
@Suite(.ownThread) struct TargetIndexTests {
    static func prefix(_ text: String) throws -> IPPrefix { try #require(IPPrefix(text)) }

    static func targets() throws -> [Target] {
        [
            // 0: a country's block and an IPv6 block.
            Target(
                name: "a", originASNs: [64500], prefixes: [try prefix("10.0.0.0/8"), try prefix("2001:db8::/32")]),
            // 1: inside target 0's block, with an expected upstream.
            Target(
                name: "b", originASNs: [64501], prefixes: [try prefix("10.20.0.0/16")], upstreams: [64510: "up"]),
            // 2: elsewhere, two separate blocks.
            Target(
                name: "c", originASNs: [64502], prefixes: [try prefix("192.0.2.0/24"), try prefix("198.51.100.0/22")]),
            // 3: inside target 0's IPv6 block.
            Target(name: "d", originASNs: [64503], prefixes: [try prefix("2001:db8:1::/48")]),
        ]
    }

    func hits(_ index: TargetIndex, _ p: String, origin: UInt32? = nil) throws -> [Int] {
        var out: [Int] = []
        index.targets(prefix: try Self.prefix(p), origin: origin, into: &out)
        return out.sorted()
    }

    @Test func spaceAndOrigins() throws {
        let index = TargetIndex(try Self.targets(), learnsOrigins: [true, false, false, false])
        // Inside 10.20/16, hence inside 10/8 too.
        #expect(try hits(index, "10.20.30.0/24") == [0, 1])
        // Inside 10/8 only.
        #expect(try hits(index, "10.21.0.0/16") == [0])
        // Covering both.
        #expect(try hits(index, "10.0.0.0/7") == [0, 1])
        // 198.51.100.0/22 is 198.51.100.0-198.51.103.255: 198.51.102.0/23 is inside, 198.51.104.0/24 not.
        #expect(try hits(index, "198.51.102.0/23") == [2])
        #expect(try hits(index, "198.51.104.0/24") == [])
        // Covers 192.0.2.0/24 and 198.51.100.0/22 (192.0.0.0 - 199.255.255.255).
        #expect(try hits(index, "192.0.0.0/5") == [2])
        #expect(try hits(index, "11.0.0.0/8") == [])
        // IPv6: inside the /48 and so inside the /32; beside the /48 only the /32.
        #expect(try hits(index, "2001:db8:1:5::/64") == [0, 3])
        #expect(try hits(index, "2001:db8:2::/48") == [0])
        #expect(try hits(index, "2001:db9::/32") == [])
        // An IPv4 address whose bits match an IPv6 block's top bits is still not in it.
        #expect(try hits(index, "32.1.13.184/32") == [])
        // Origins: target 0 learns its ASes; target 1 follows its upstream; target 2 does not learn.
        #expect(try hits(index, "11.0.0.0/8", origin: 64500) == [0])
        #expect(try hits(index, "11.0.0.0/8", origin: 64510) == [1])
        #expect(try hits(index, "11.0.0.0/8", origin: 64502) == [])
        #expect(try hits(index, "10.20.0.0/16", origin: 64500) == [0, 1])
        #expect(index.mayConcern(prefix: try Self.prefix("11.0.0.0/8"), origin: 64510))
        #expect(!index.mayConcern(prefix: try Self.prefix("11.0.0.0/8"), origin: 64502))
        // 64510 + 2^20 shares its filter bit with 64510, but is no target's AS.
        #expect(!index.mayConcern(prefix: try Self.prefix("11.0.0.0/8"), origin: 64510 + 1 << 20))
    }
}
