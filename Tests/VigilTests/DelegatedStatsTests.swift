import BGP
import Foundation
import Testing
import VigilTesting

@testable import Vigil

@Suite(.ownThread) struct DelegatedStatsTests {
    @Test func blocksBecomeTheFewestPrefixes() {
        // 10.0.0.0 + 768 addresses = a /23 (512) then a /24 (256); 10.0.1.0 + 512 is not /23-aligned:
        // a /24 at 10.0.1.0, then a /24 at 10.0.2.0.
        #expect(
            CountryResources.ipv4Prefixes(start: 0x0A00_0000, count: 768).map(\.description) == [
                "10.0.0.0/23", "10.0.2.0/24",
            ])
        #expect(
            CountryResources.ipv4Prefixes(start: 0x0A00_0100, count: 512).map(\.description) == [
                "10.0.1.0/24", "10.0.2.0/24",
            ])
        #expect(
            CountryResources.ipv4Prefixes(start: 0xAF2D_B000, count: 1024).map(\.description) == ["175.45.176.0/22"])
    }

    @Test func readsLinesOfOneCountry() {
        let text = """
            2|apnic|20161214|3|19830613|20161213|+1000
            apnic|*|asn|*|1|summary
            apnic|KP|asn|131279|1|20091221|allocated
            apnic|KP|ipv4|175.45.176.0|1024|20091221|allocated
            apnic|JP|ipv4|1.0.16.0|4096|20110412|allocated
            apnic|KP|ipv6|2001:db8::|32|20091221|assigned
            apnic|KP|ipv4|175.45.180.0|1024|20091221|reserved
            """
        let r = CountryResources(country: "kp", delegatedStats: text)
        #expect(r.asns == [131279])
        #expect(r.prefixes.map(\.description) == ["175.45.176.0/22", "2001:db8::/32"])
    }

    @Test func realAPNICFileGivesNorthKorea() throws {
        // The file's own KP lines (grep '|KP|' on it) are AS131279 and 175.45.176.0 + 1024.
        let path = try Fixtures.path("rir/bgp-traceparse__delegated-apnic-latest.20161214")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let r = CountryResources(country: "KP", delegatedStats: text)
        #expect(r.asns.contains(131279))
        #expect(r.prefixes.contains(IPPrefix("175.45.176.0/22")!))
        let target = Target(country: r)
        #expect(target.originASNs.contains(131279))
        #expect(target.prefixes.contains(IPPrefix("175.45.176.0/22")!))
    }

    @Test("every country of the real APNIC file at once, as each alone")
    func byCountryEqualsEachAlone() throws {
        let path = try Fixtures.path("rir/bgp-traceparse__delegated-apnic-latest.20161214")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let all = CountryResources.byCountry(delegatedStats: text).countries
        // The countries with allocated or assigned lines, read here from the file's fields.
        var codes: Set<String> = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            if f.count >= 7, f[1].count == 2, f[6] == "allocated" || f[6] == "assigned" { codes.insert(String(f[1])) }
        }
        #expect(Set(all.keys) == codes)
        #expect(all["KP"]?.asns == [131279])
        #expect(all["KP"]?.prefixes == [try #require(IPPrefix("175.45.176.0/22"))])
        for cc in ["KP", "KR", "JP", "AU", "IN"] {
            let alone = CountryResources(country: cc, delegatedStats: text)
            #expect(all[cc]?.asns == alone.asns && all[cc]?.prefixes == alone.prefixes, "\(cc)")
        }
    }
}
