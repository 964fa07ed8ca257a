import BGP
import Foundation
import Testing
import VigilTesting

@testable import MRT

@Suite(.ownThread) struct BGPDumpFormatterTests {
    /// bgpdump's own round-trip vectors for its IPv6 printer (`test_fmt_ip()` in bgpdump's inet_ntop.c).
    @Test(arguments: ["fe80::", "2001:db8::1", "::ffff:192.168.2.1", "::192.168.1.2", "2001:7f8:30::2:1:0:8447"])
    func ipv6LikeBgpdump(text: String) throws {
        let address: IPAddress
        if text == "::192.168.1.2" {
            address = IPAddress(v6High: 0, low: 0xC0A8_0102)
        } else {
            address = try #require(IPAddress(text))
        }
        let out = TextBuffer()
        BGPDumpFormatter.appendIPv6(address, into: out)
        #expect(out.text == text)
    }

    /// `bgpdump -M` times are MM/DD/YY HH:MM:SS in UTC; `date -u` is the oracle.
    @Test(arguments: [0, 951_782_400, 953_955_943, 1_470_931_200, 2_147_483_647, 4_102_444_799])
    func civilTimeMatchesDate(seconds: Int) throws {
        let expected = try Tools.run(
            try Tools.which("date", package: "coreutils"), ["-u", "-d", "@\(seconds)", "+%m/%d/%y %H:%M:%S"]
        ).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let c = CivilTime(unix: Int64(seconds))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let ours = "\(two(c.month))/\(two(c.day))/\(two(c.year % 100)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
        #expect(ours == expected)
    }

    @Test func decimalsAndPadding() {
        let out = TextBuffer(capacity: 1)
        out.appendDecimal(0)
        out.append(32)
        out.appendDecimal(4_294_967_295)
        out.append(32)
        out.appendDecimal(signed: -2_147_483_648)
        out.append(32)
        out.appendPadded(42, width: 6)
        out.append(32)
        for v: UInt32 in [9, 10, 99, 100, 12345, 99999, 100_000] {
            out.appendDecimal(v)
            out.append(44)
        }
        #expect(out.text == "0 4294967295 -2147483648 000042 9,10,99,100,12345,99999,100000,")
    }
}
