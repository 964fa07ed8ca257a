import BGP
import Foundation
import MRT
import Testing
import VigilTesting

/// What `MRTWriter` makes of JSON routes, read back by Debian's bgpdump (an independent decoder): the
/// lines expected are written by hand from the routes, in bgpdump's `-m` form.
@Suite struct MRTWriterTests {
    static func ip(_ text: String) throws -> IPAddress { try #require(IPAddress(Substring(text))) }
    static func prefix(_ text: String) throws -> IPPrefix { try #require(IPPrefix(text)) }

    @Test("UPDATEs (IPv4 and IPv6, announced and withdrawn), a session down and a table: bgpdump reads each as written")
    func bgpdumpReadsIt() async throws {
        let peer4 = try Self.ip("195.66.224.138")
        let peer6 = try Self.ip("2001:7f8:4::b0d:1")
        var w = MRTWriter()
        // 2022-06-21T06:28:53Z = 1655792933.
        w.update(
            JSONRoute(
                time: 1_655_792_933, collector: "rrc01", peer: peer4, peerASN: 2914, kind: .announce,
                prefix: try Self.prefix("104.16.0.0/20"), path: [2914, 13335], communities: [2914 << 16 | 410]))
        w.update(
            JSONRoute(
                time: 1_655_792_934, collector: "rrc01", peer: peer4, peerASN: 2914, kind: .withdraw,
                prefix: try Self.prefix("104.16.0.0/20")))
        w.update(
            JSONRoute(
                time: 1_655_792_935.5, collector: "rrc01", peer: peer6, peerASN: 2829, kind: .announce,
                prefix: try Self.prefix("2606:4700::/44"), path: [2829, 174, 174, 13335]))
        w.update(
            JSONRoute(
                time: 1_655_792_936, collector: "rrc01", peer: peer6, peerASN: 2829, kind: .withdraw,
                prefix: try Self.prefix("2606:4700::/44")))
        w.update(JSONRoute(time: 1_655_792_937, collector: "rrc01", peer: peer4, peerASN: 2914, kind: .peerDown))
        let updates = try Fixtures.temporaryFolder("writer") + "/updates.mrt"
        try Data(w.bytes).write(to: URL(fileURLWithPath: updates))
        let r = try await Tools.bgpdump(["-m", updates])
        let lines = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "BGP4MP|1655792933|A|195.66.224.138|2914|104.16.0.0/20|2914 13335|IGP|195.66.224.138|0|0|2914:410|NAG||",
                "BGP4MP|1655792934|W|195.66.224.138|2914|104.16.0.0/20",
                "BGP4MP_ET|1655792935.500000|A|2001:7f8:4::b0d:1|2829|2606:4700::/44|2829 174 174 13335|IGP|2001:7f8:4::b0d:1|0|0||NAG||",
                "BGP4MP|1655792936|W|2001:7f8:4::b0d:1|2829|2606:4700::/44",
                "BGP4MP|1655792937|STATE|195.66.224.138|2914|6|1",
            ], "\(lines)\n\(String(decoding: r.stderr, as: UTF8.self))")

        var t = MRTWriter()
        t.snapshot(
            [
                JSONRoute(
                    time: 0, collector: "rrc01", peer: peer4, peerASN: 2914, kind: .announce,
                    prefix: try Self.prefix("1.1.1.0/24"), path: [2914, 13335]),
                JSONRoute(
                    time: 0, collector: "rrc01", peer: peer6, peerASN: 2829, kind: .announce,
                    prefix: try Self.prefix("1.1.1.0/24"), path: [2829, 13335], originSet: [64512, 64513]),
                JSONRoute(
                    time: 0, collector: "rrc01", peer: peer4, peerASN: 2914, kind: .withdraw,
                    prefix: try Self.prefix("1.0.0.0/24")),
                JSONRoute(
                    time: 0, collector: "rrc01", peer: peer6, peerASN: 2829, kind: .announce,
                    prefix: try Self.prefix("2606:4700::/32"), path: [2829, 13335]),
            ], time: 1_655_791_200)
        let table = try Fixtures.temporaryFolder("writer") + "/bview.mrt"
        try Data(t.bytes).write(to: URL(fileURLWithPath: table))
        let b = try await Tools.bgpdump(["-m", table])
        let entries = String(decoding: b.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(
            entries == [
                "TABLE_DUMP2|1655791200|B|195.66.224.138|2914|1.1.1.0/24|2914 13335|IGP|195.66.224.138|0|0||NAG||",
                "TABLE_DUMP2|1655791200|B|2001:7f8:4::b0d:1|2829|1.1.1.0/24|2829 13335 {64512,64513}|IGP|0.0.0.0|0|0||NAG||",
                "TABLE_DUMP2|1655791200|B|2001:7f8:4::b0d:1|2829|2606:4700::/32|2829 13335|IGP|2001:7f8:4::b0d:1|0|0||NAG||",
            ], "\(entries)\n\(String(decoding: b.stderr, as: UTF8.self))")
    }
}
