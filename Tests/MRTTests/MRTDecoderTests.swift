import BGP
import MRT
import Testing
import VigilTesting

@Suite(.ownThread) struct MRTDecoderTests {
    /// Element counts from the data's README (Debian bgpdump 1.6.2 -m lines per type).
    @Test(arguments: [
        ("bgpdump__updates.20160811.1600.gz", 39_256, 1_956, 22),
        ("bgpdump__updates.20020722.2238.gz", 825, 2_419, 93),
        ("libbgpstream__ris.rrc06.updates.1427846400.gz", 1_435, 122, 4),
        ("bgpkit__rrc15_updates.20100227.1600.gz", 52_468, 1_318, 20),
        ("bgpkit__local_only_updates.bz2", 159, 109, 0),
    ])
    func updateElementCounts(file: String, announcements: Int, withdrawals: Int, states: Int) throws {
        let counts = try countElements(try openFixture(file))
        #expect(counts.announcements == announcements)
        #expect(counts.withdrawals == withdrawals)
        #expect(counts.stateChanges == states)
        #expect(counts.damaged == 0)
    }

    @Test func legacyTableDumpEntries() throws {
        #expect(try countElements(try openFixture("bgpdump__bview.20020722.2337.gz")).ribEntries == 115_521)
    }

    @Test func addPathRIBEntriesCarryPathIDs() throws {
        let r = try openFixture("bgpdump__bview.ipv4_unicast_add_path.gz")
        var decoder = MRTDecoder()
        var ids: [UInt32?] = []
        while let record = try r.next() { _ = decoder.decode(record) { ids.append($0.pathID) } }
        #expect(ids.count == 62)
        #expect(ids.allSatisfy { $0 != nil })
    }

    /// RIB_GENERIC records holding VPNv4 routes (AFI 1, SAFI 128) are counted as unsupported, not errors.
    @Test func genericRIBWithVPNRoutesIsUnsupported() throws {
        let counts = try countElements(try openFixture("mrtparse__openbgpd_rib_table-v2"))
        #expect(counts.unsupported == 2)
        #expect(counts.damaged == 0)
    }

    @Test func ipv6RIBEntriesHaveIPv6NextHops() throws {
        let r = try openFixture("pyasn__rib6.20151101.0600_firstMB.bz2")
        var decoder = MRTDecoder()
        var families: Set<IPAddress.Family> = []
        var checked = 0
        while let record = try r.next(), checked < 1000 {
            _ = decoder.decode(record) { e in
                if let nh = e.nextHop { families.insert(nh.family) }
                checked += 1
            }
        }
        #expect(families == [.v6])
    }

    /// The early filter (before attributes are decoded) must keep exactly what filtering the full
    /// stream afterwards keeps.
    @Test(arguments: [
        ("bgpdump__updates.20160811.1600.gz", "185.0.0.0/8", RouteFilter.PrefixMatch.moreSpecific),
        ("bgpdump__updates.20160811.1600.gz", "2a00::/12", RouteFilter.PrefixMatch.moreSpecific),
        ("pyasn__rib.20140523.0600_firstMB.bz2", "1.0.129.0/24", RouteFilter.PrefixMatch.lessSpecific),
        ("pyasn__rib.20140523.0600_firstMB.bz2", "1.0.28.0/22", RouteFilter.PrefixMatch.exact),
    ])
    func prefixFilterMatchesLateFiltering(file: String, prefix: String, match: RouteFilter.PrefixMatch) throws {
        let p = try #require(IPPrefix(prefix))
        var filter = RouteFilter()
        filter.prefixes = [p]
        filter.prefixMatch = match
        let early = try collect(file, filter)
        let late = try collect(file, RouteFilter()).filter { filter.accepts(prefix: $0.prefix) }
        #expect(!early.isEmpty)
        #expect(early.count == late.count && early.elementsEqual(late) { $0 == $1 })
    }

    @Test func originFilterMatchesLateFiltering() throws {
        var filter = RouteFilter()
        filter.originASNs = [3356, 174]
        let early = try collect("bgpdump__updates.20160811.1600.gz", filter)
        let late = try collect("bgpdump__updates.20160811.1600.gz", RouteFilter()).filter {
            $0.origin.map { [3356, 174].contains($0) } ?? false
        }
        #expect(!early.isEmpty)
        #expect(early.count == late.count && early.elementsEqual(late) { $0 == $1 })
    }

    struct Summary: Equatable {
        var kind: RouteElement.Kind
        var prefix: IPPrefix
        var peer: IPAddress
        var origin: UInt32?
    }

    func collect(_ file: String, _ filter: RouteFilter) throws -> [Summary] {
        let r = try openFixture(file)
        var decoder = MRTDecoder(filter: filter)
        var result: [Summary] = []
        while let record = try r.next() {
            _ = decoder.decode(record) { e in
                if e.kind != .stateChange {
                    result.append(Summary(kind: e.kind, prefix: e.prefix, peer: e.peerAddress, origin: e.originASN))
                }
            }
        }
        return result
    }
}
