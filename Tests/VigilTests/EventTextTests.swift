import BGP
import Testing
import VigilTesting

@testable import Vigil

/// The console's form of an event, written out by hand.
@Suite(.ownThread) struct EventTextTests {
    @Test("an event reads as its head line, times, prefixes with named upstreams, and one line per evidence")
    func text() {
        let e = DetectedEvent(
            id: 3, target: "north-korea", cause: .upstreamLoss, confidence: 0.8, start: 1_749_231_000,
            end: nil, prefixes: ["175.45.176.0/24", "175.45.178.0/24"].compactMap(IPPrefix.init),
            upstreams: [4837, 65000], severity: 1, evidence: ["all paths via AS4837 vanished", "second line"])
        // 1_749_231_000 s is 2025-06-06T17:30:00Z (20,245 days after 1970-01-01, plus 63,000 s).
        let expected = """
            EVENT OPEN 3 north-korea: upstream-loss (confidence 0.80)
              start 2025-06-06T17:30:00Z  end ongoing
              prefixes 175.45.176.0/24, 175.45.178.0/24; upstreams AS4837 (China Unicom), AS65000
              - all paths via AS4837 vanished
              - second line
            """
        #expect(e.text(target: .northKorea, label: "EVENT OPEN") == expected)
        var closed = e
        closed.end = 1_749_231_600
        closed.upstreams = []
        closed.evidence = []
        #expect(
            closed.text(target: .northKorea)
                == "EVENT 3 north-korea: upstream-loss (confidence 0.80)\n  start 2025-06-06T17:30:00Z  end 2025-06-06T17:40:00Z\n  prefixes 175.45.176.0/24, 175.45.178.0/24"
        )
    }

    @Test("many prefixes: the first ten, then how many more")
    func manyPrefixes() throws {
        // 10.0.0.0/24 ... 10.0.24.0/24: 25 prefixes.
        let prefixes = (0..<25).compactMap { IPPrefix("10.0.\($0).0/24") }
        let e = DetectedEvent(
            id: 1, target: "t", cause: .originSide, confidence: 0.6, start: 0, end: nil, prefixes: prefixes,
            upstreams: [], severity: 1, evidence: [])
        let line = e.text(target: Target(name: "t", originASNs: [], prefixes: [])).split(separator: "\n")[2]
        #expect(
            line
                == "  prefixes 10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/24, 10.0.3.0/24, 10.0.4.0/24, 10.0.5.0/24, 10.0.6.0/24, 10.0.7.0/24, 10.0.8.0/24, 10.0.9.0/24 and 15 more (25 in all)"
        )
    }
}
