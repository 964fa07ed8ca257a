import BGP
import Testing
import VigilTesting

@Suite(.ownThread) struct IPPrefixTests {
    /// 11.13.0.0/13: the second octet 13 is 0b00001101; a /13 keeps its top 5 bits, 0b00001000 = 8.
    @Test func masksStrayBits() throws {
        let prefix = try #require(IPPrefix("11.13.0.0/13"))
        #expect(prefix.description == "11.8.0.0/13")
        #expect(try #require(IPPrefix("2001:db8:ffff::/33")).description == "2001:db8:8000::/33")
        #expect(try #require(IPPrefix("255.255.255.255/0")).description == "0.0.0.0/0")
    }

    @Test func containment() throws {
        let kp = try #require(IPPrefix("175.45.176.0/22"))
        for text in ["175.45.176.0/24", "175.45.179.0/24", "175.45.176.0/22", "175.45.178.128/25"] {
            #expect(kp.contains(try #require(IPPrefix(text))), "\(text)")
        }
        for text in ["175.45.180.0/24", "175.45.176.0/21", "210.52.109.0/24", "::/0"] {
            #expect(!kp.contains(try #require(IPPrefix(text))), "\(text)")
        }
        let v6 = try #require(IPPrefix("2001:db8::/32"))
        #expect(v6.contains(try #require(IPPrefix("2001:db8:1::/48"))))
        #expect(!v6.contains(try #require(IPPrefix("2001:db9::/48"))))
        #expect(v6.contains(try #require(IPAddress("2001:db8::1"))))
        #expect(try #require(IPPrefix("175.45.176.0/24")).overlaps(kp))
    }

    @Test func bareAddressIsAHostPrefix() throws {
        #expect(try #require(IPPrefix("192.0.2.1")).length == 32)
        #expect(try #require(IPPrefix("2001:db8::1")).length == 128)
    }

    @Test(arguments: ["1.2.3.4/33", "2001:db8::/129", "1.2.3.4/-1", "1.2.3.4/", "1.2.3.4/2a", "x/8", "1.2.3.4/8/9"])
    func rejectsInvalidText(input: String) {
        #expect(IPPrefix(input) == nil)
    }
}
