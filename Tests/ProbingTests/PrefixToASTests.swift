import Foundation
import Testing
import VigilTesting

@testable import Probing

/// Longest-prefix match over prefix-to-AS tables: hand-made lines, and RouteViews' real pfx2as file.
@Suite(.ownThread) struct PrefixToASTests {
    @Test("the longest prefix wins; multi-origin entries give their first AS; IPv6 and junk are skipped")
    func handMade() {
        let table = PrefixToAS(
            text: """
                ; comment
                175.45.176.0\t22\t131279
                175.45.177.0\t24\t64500
                10.0.0.0/8\t64501
                192.0.2.0\t24\t64502_64503
                2001:db8::\t32\t64504
                garbage line here x
                """)
        #expect(table.count == 4)
        #expect(table.skipped == 2)
        #expect(table.asn(of: "175.45.176.9") == 131279)
        #expect(table.asn(of: "175.45.177.9") == 64500)
        #expect(table.asn(of: "175.45.179.255") == 131279)
        #expect(table.asn(of: "175.45.180.1") == nil)
        #expect(table.asn(of: "10.200.1.1") == 64501)
        #expect(table.asn(of: "192.0.2.77") == 64502)
        #expect(table.asn(of: "not an address") == nil)
    }

    @Test("RouteViews' pfx2as of 2016-02-02: every IPv4 line read; addresses inside lines' prefixes match them")
    func realFile() throws {
        let path = try Fixtures.path("prefix2as/pytricia__routeviews-rv2-20160202-1200.pfx2as.gz")
        let text = String(decoding: try Tools.decompress(path), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline)
        let table = PrefixToAS(text: text)
        #expect(table.count + table.skipped == lines.count)
        #expect(table.count > 500_000)
        // The file's own lines: the network address of a /24 gives the AS on its line (nothing longer
        // than a /24 starts at a /24's own network address in this file unless listed, and then it is
        // that line's AS again).
        // Network addresses that also start a longer prefix (their own line's AS would not be the answer).
        var longerStarts = Set<Substring>()
        for line in lines {
            let f = line.split(separator: "\t")
            if f.count == 3, let length = Int(f[1]), length > 24 { longerStarts.insert(f[0]) }
        }
        var checked = 0
        for line in lines.prefix(50_000) where checked < 200 {
            let f = line.split(separator: "\t")
            guard f.count == 3, f[1] == "24", !f[2].contains("_"), !f[2].contains(","), let asn = UInt32(f[2]) else {
                continue
            }
            if longerStarts.contains(f[0]) { continue }
            #expect(table.asn(of: String(f[0])) == asn, "\(line)")
            checked += 1
        }
        #expect(checked == 200)
    }
}
