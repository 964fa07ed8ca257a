import BGP
import Testing
import VigilTesting

@Suite(.ownThread) struct PathAttributesTests {
    /// An attribute block built by hand, one attribute per line (flags, type, length, value).
    static let block: [UInt8] = [
        0x40, 1, 1, 0,  // ORIGIN IGP
        0x50, 2, 0, 14, 2, 3, 0, 0, 0x12, 0xE5, 0, 0, 0x50, 0x55, 0, 2, 0, 0xCF,  // AS_PATH 4837 20565 131279
        0x40, 3, 4, 192, 0, 2, 1,  // NEXT_HOP 192.0.2.1
        0x80, 4, 4, 0, 0, 0, 50,  // MED 50
        0x40, 5, 4, 0, 0, 0, 100,  // LOCAL_PREF 100
        0x40, 6, 0,  // ATOMIC_AGGREGATE
        0xC0, 7, 8, 0, 2, 0, 0xCF, 198, 51, 100, 1,  // AGGREGATOR AS131279 198.51.100.1
        0xC0, 8, 8, 0x12, 0xE5, 0x00, 0x64, 0xFF, 0xFF, 0xFF, 0x01,  // COMMUNITIES 4837:100 no-export
        0xC0, 32, 12, 0, 2, 0, 0xCF, 0, 0, 0, 1, 0, 0, 0, 2,  // LARGE_COMMUNITY 131279:1:2
        0xC0, 99, 2, 0xAB, 0xCD,  // unknown type 99, kept raw
    ]

    @Test func decodesEveryAttribute() throws {
        let a = try PathAttributesTests.block.withUnsafeBytes { try PathAttributes(parsing: $0, asnSize: 4) }
        #expect(a.origin == .igp)
        #expect(a.asPath?.description == "4837 20565 131279")
        #expect(a.nextHop?.description == "192.0.2.1")
        #expect(a.med == 50)
        #expect(a.localPref == 100)
        #expect(a.atomicAggregate)
        #expect(a.aggregator == Aggregator(asn: 131279, address: IPAddress("198.51.100.1")!))
        #expect(a.communities == [Community(asn: 4837, value: 100), .noExport])
        #expect(a.largeCommunities == [LargeCommunity(131279, 1, 2)])
        #expect(a.other == [RawPathAttribute(flags: 0xC0, type: 99, value: [0xAB, 0xCD])])
    }

    @Test func viewAgreesWithDecodedValues() throws {
        try PathAttributesTests.block.withUnsafeBytes { raw in
            let view = PathAttributeView(parsing: raw, asnSize: 4)
            #expect(view.error == nil)
            #expect(view.origin == .igp)
            #expect(view.nextHop == 0xC000_0201)
            #expect(view.med == 50 && view.localPref == 100 && view.atomicAggregate)
            #expect(view.originASN == 131279)
            #expect(view.aggregator?.asn == 131279)
            #expect(view.communities?.count == 8)
            #expect(view.has(32) && !view.has(16))
            #expect(try view.materialize().other.map(\.type) == [99])
            let decoded = try view.materialize()
            #expect(decoded.asPath?.origin == 131279)
        }
    }

    @Test func reportsTruncatedAndMisSizedAttributes() {
        let cut: [UInt8] = [0x40, 1, 1, 0, 0x40, 2, 10, 2, 1]
        cut.withUnsafeBytes { raw in
            let view = PathAttributeView(parsing: raw, asnSize: 4)
            #expect(view.origin == .igp)
            #expect(view.asPath == nil)
            #expect(view.error?.isTruncation == true)
            #expect(view.error?.offset == 7)
        }
        let badMED: [UInt8] = [0x80, 4, 2, 0, 1]
        badMED.withUnsafeBytes { raw in
            let view = PathAttributeView(parsing: raw, asnSize: 4)
            #expect(view.med == nil)
            #expect(view.malformedCount == 1)
        }
    }

    /// RFC 6793 on a 2-byte session: AS_PATH "4837 23456" with AS4_PATH "131279" gives "4837 131279";
    /// an AGGREGATOR with a real AS (not 23456) makes the receiver ignore AS4_PATH.
    @Test func appliesAS4PathOnTwoByteSessions() throws {
        var bytes: [UInt8] = [
            0x40, 2, 6, 2, 2, 0x12, 0xE5, 0x5B, 0xA0,  // AS_PATH 4837 23456 (2-byte)
            0xC0, 17, 6, 2, 1, 0, 2, 0, 0xCF,  // AS4_PATH 131279
        ]
        var merged = try bytes.withUnsafeBytes { try PathAttributes(parsing: $0, asnSize: 2) }
        #expect(merged.effectiveASPath?.description == "4837 131279")
        bytes.withUnsafeBytes { #expect(PathAttributeView(parsing: $0, asnSize: 2).originASN == 131279) }
        bytes += [0xC0, 7, 6, 0x12, 0xE5, 10, 0, 0, 1, 0xC0, 18, 8, 0, 2, 0, 0xCF, 10, 0, 0, 1]
        merged = try bytes.withUnsafeBytes { try PathAttributes(parsing: $0, asnSize: 2) }
        #expect(merged.effectiveASPath?.description == "4837 23456")
        bytes.withUnsafeBytes { #expect(PathAttributeView(parsing: $0, asnSize: 2).originASN == 23456) }
    }

    @Test func decodesMultiprotocolAttributes() throws {
        // MP_REACH IPv6 unicast, 32-byte next hop (global 2001:db8::1, link-local fe80::1), 2001:db8:1::/48.
        var reach: [UInt8] = [0, 2, 1, 32]
        reach += [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]
        reach += [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [1]
        reach += [0, 48, 0x20, 0x01, 0x0D, 0xB8, 0, 1]
        let mp = try reach.withUnsafeBytes { try MPReachNLRI(parsing: $0, addPath: false) }
        #expect(mp.afi == 2 && mp.safi == 1)
        #expect(mp.nextHop?.description == "2001:db8::1")
        #expect(mp.linkLocalNextHop?.description == "fe80::1")
        #expect(mp.nlri.map(\.prefix.description) == ["2001:db8:1::/48"])
        let unreach: [UInt8] = [0, 1, 1, 24, 175, 45, 179]
        let mu = try unreach.withUnsafeBytes { try MPUnreachNLRI(parsing: $0, addPath: false) }
        #expect(mu.nlri.map(\.prefix.description) == ["175.45.179.0/24"])
    }

    /// Found by the fuzzer: SNPA lengths (RFC 2858) that run past the attribute must throw, not trap.
    @Test func rejectsSNPAsPastTheEnd() {
        let reach: [UInt8] = [0, 2, 1, 16] + [UInt8](repeating: 0x20, count: 16) + [3, 0xFF, 1]
        #expect(throws: BGPDecodingError.self) {
            try reach.withUnsafeBytes { try MPReachNLRI(parsing: $0, addPath: false) }
        }
        let attributes: [UInt8] = [0x80, 14, UInt8(reach.count)] + reach
        attributes.withUnsafeBytes { raw in
            let view = PathAttributeView(parsing: raw, asnSize: 4)
            #expect(view.mpReach != nil)
            #expect(throws: BGPDecodingError.self) { try view.materialize() }
        }
    }
}
