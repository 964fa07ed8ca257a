import BGP
import Foundation
import Testing
import VigilTesting

@testable import RISLive

/// RIPE's JSON route files told by content, with every value worked out by hand from the text.
@Suite struct JSONRouteFileTests {
    @Test(
        "a RIPEstat bgp-updates answer: A and W, times with and without the zone letter or a fraction, a bad entry skipped with its offset"
    )
    func updatesAnswer() throws {
        let text = """
            {"status":"ok","data_call_name":"bgp-updates","data":{"updates":[
            {"seq":1,"timestamp":"2025-06-06T17:32:01","type":"W","attrs":{"target_prefix":"175.45.176.0/24","source_id":"00-195.66.224.175"}},
            {"seq":2,"timestamp":"2025-06-06T17:32:02.5","type":"A","attrs":{"target_prefix":"175.45.177.0/24","source_id":"rrc12-80.81.192.1","path":[6939,20485,20485,131279],"community":["6939:1000","x"]}},
            {"seq":3,"timestamp":1749231123,"type":"A","attrs":{"target_prefix":"175.45.999.0/24","source_id":"00-195.66.224.175","path":[1]}}
            ]}}
            """
        let c = try JSONRouteFile.read(Array(text.utf8))
        #expect(c.kind == .ripestatUpdates)
        #expect(c.routes.count == 2)
        // 2025-06-06T17:32:01Z = 1749231121 (20,245 days × 86,400 + 17 h 32 min 1 s).
        #expect(c.routes[0].time == 1_749_231_121)
        #expect(c.routes[0].kind == .withdraw)
        #expect(c.routes[0].collector == "rrc00")
        #expect(c.routes[0].peer == IPAddress(Substring("195.66.224.175")))
        #expect(c.routes[1].time == 1_749_231_122.5)
        #expect(c.routes[1].collector == "rrc12")
        #expect(c.routes[1].peerASN == 6939)
        #expect(c.routes[1].path == [6939, 20485, 20485, 131279])
        #expect(c.routes[1].communities == [6939 << 16 | 1000])
        #expect(c.skipped == 1)
        #expect(c.problems.first?.contains("\"175.45.999.0/24\" is not a prefix") == true, "\(c.problems)")
    }

    @Test("a recording whose first line is cut is still a recording: the cut line reported by number, the rest read")
    func damagedFirstLine() throws {
        let update =
            #"{"type":"ris_message","data":{"timestamp":1553627987.89,"peer":"72.22.223.9","peer_asn":"11708","host":"rrc00","type":"UPDATE","path":[11708,1299,[64512,64513]],"announcements":[{"next_hop":"72.22.223.9","prefixes":["45.161.192.0/23"]}],"withdrawals":["10.0.0.0/8"]}}"#
        let text = #"{"type":"ris_message","data":{"timest"# + "\n" + update + "\n"
        let c = try JSONRouteFile.read(Array(text.utf8))
        #expect(c.kind == .risLive)
        #expect(c.skipped == 1)
        #expect(c.problems.first?.hasPrefix("line 1,") == true, "\(c.problems)")
        #expect(c.routes.map(\.kind) == [.withdraw, .announce])
        #expect(c.routes.last?.path == [11708, 1299])
        #expect(c.routes.last?.originSet == [64512, 64513])
    }

    @Test("neither form: one error naming what it is not")
    func neither() {
        #expect(throws: RISParseError.self) { try JSONRouteFile.read(Array(#"{"status":"ok","data":{}}"#.utf8)) }
        let error = #"{"messages":[["error","resource is required"]],"status":"error","status_code":400,"data":{}}"#
        #expect {
            try JSONRouteFile.read(Array(error.utf8))
        } throws: { e in
            (e as? RISParseError)?.reason.contains("resource is required") == true
        }
    }
}
