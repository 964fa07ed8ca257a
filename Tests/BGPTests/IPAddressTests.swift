import BGP
import Testing
import VigilTesting

@Suite(.ownThread) struct IPAddressTests {
    /// Canonical forms from RFC 5952 section 4 (expected values written from the RFC's text).
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),  // 4.2.3: first of equal runs
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // 4.2.2: one zero group stays
        ("2001:DB8::AB", "2001:db8::ab"),  // 4.3: lower case
        ("::", "::"),
        ("::1", "::1"),
        ("fe80::", "fe80::"),
        ("1:0:0:0:0:0:0:8", "1::8"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),  // 5: mapped addresses keep the dotted tail
    ])
    func canonicalText(input: String, expected: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == expected)
        #expect(IPAddress(expected) == address)
    }

    @Test(arguments: [
        "1.2.3", "256.1.1.1", "1.2.3.4.5", "1::2::3", "12345::", ":::", "1:2:3:4:5:6:7:8:9", "", "a.b.c.d",
    ])
    func rejectsInvalidText(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test func bytesAreNetworkOrder() throws {
        let v4 = try #require(IPAddress("175.45.176.1"))
        #expect(v4.v4 == 0xAF2D_B001)
        #expect((0..<4).map { v4.byte($0) } == [175, 45, 176, 1])
        let v6 = try #require(IPAddress("2001:db8::ff"))
        #expect(v6.byte(0) == 0x20 && v6.byte(1) == 0x01 && v6.byte(15) == 0xFF)
    }

    @Test func ordersByFamilyThenValue() throws {
        let a = try #require(IPAddress("10.0.0.1"))
        let b = try #require(IPAddress("10.0.0.2"))
        let c = try #require(IPAddress("::1"))
        #expect(a < b && b < c)
    }
}
