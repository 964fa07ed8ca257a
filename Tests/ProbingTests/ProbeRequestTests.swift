import Testing
import VigilTesting

@testable import Probing

/// Probe URLs as users type them, and the errors for the ones that are not.
@Suite(.ownThread) struct ProbeRequestTests {
    @Test("each scheme parses into its kind, host, port and zone")
    func valid() throws {
        let tcp = try ProbeRequest("tcp://ns1.kptc.kp:53")
        #expect(tcp.kind == .tcp && tcp.host == "ns1.kptc.kp" && tcp.port == 53)
        let icmp = try ProbeRequest("icmp://198.18.0.1")
        #expect(icmp.kind == .icmp && icmp.host == "198.18.0.1" && icmp.port == nil)
        let dns = try ProbeRequest("dns://ns1.kptc.kp/kp")
        #expect(dns.kind == .dns && dns.host == "ns1.kptc.kp" && dns.port == 53 && dns.zone == "kp")
        let dnsPort = try ProbeRequest("dns://127.0.0.1:5353/vigil.test/")
        #expect(dnsPort.port == 5353 && dnsPort.zone == "vigil.test")
        let https = try ProbeRequest("https://kcna.kp/en/")
        #expect(https.kind == .http && https.host == "kcna.kp" && https.port == 443)
        let http = try ProbeRequest("http://[2001:db8::1]:8080/x")
        #expect(http.host == "2001:db8::1" && http.port == 8080)
        let v6 = try ProbeRequest("tcp://[2001:db8::1]:443")
        #expect(v6.host == "2001:db8::1" && v6.port == 443)
        let trace = try ProbeRequest("TRACE://rodong.rep.kp")
        #expect(trace.kind == .trace && trace.host == "rodong.rep.kp")
    }

    @Test("bad requests say what is wrong")
    func invalid() {
        let cases: [(String, String)] = [
            ("ns1.kptc.kp", "expected SCHEME://"),
            ("tcp://host", "needs a port"),
            ("tcp://host:0", "from 1 to 65535"),
            ("tcp://host:http", "must be a number"),
            ("icmp://host:7", "without a port"),
            ("dns://server", "needs a zone"),
            ("dns://server/", "must be a domain name"),
            ("ftp://host", "unknown scheme ftp"),
            ("http://", "not a valid URL"),
            ("tcp://[::1:53", "unclosed ["),
        ]
        for (text, message) in cases {
            do {
                _ = try ProbeRequest(text)
                Issue.record("\(text) parsed")
            } catch {
                #expect("\(error)".contains(message), "\(text): \(error)")
                #expect("\(error)".hasPrefix(text), "\(text): \(error)")
            }
        }
    }
}
