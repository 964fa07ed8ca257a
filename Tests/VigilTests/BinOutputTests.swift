import BGP
import Testing
import VigilTesting

@testable import Vigil

/// A replay bin's text and JSON forms, written out by hand.
@Suite(.ownThread) struct BinOutputTests {
    static let bin = SignalBin(
        target: "north-korea", start: 1_749_231_000, seconds: 300, prefixesUp: 3, prefixes: 4, votingPeers: 12,
        updates: 42, visibility: [ScenarioHarness.p176: 1, ScenarioHarness.p177: 0.25],
        upstreamShare: [20485: 0.5, 4837: 1.25], darkShare: 0.25, originShare: [131279: 1])

    @Test("text: prefixes up, the dark share in percent, peers, updates, upstreams in AS order")
    func text() {
        #expect(
            Self.bin.text
                == "2025-06-06T17:30:00Z  3/4 prefixes up (25.0% of the space dark), 12 peers, 42 updates; routes per peer via AS4837 1.2, AS20485 0.5"
        )
    }

    @Test("text beside other targets' bins: the target's name after the time")
    func namedText() {
        #expect(
            Self.bin.text(namingTarget: true)
                == "2025-06-06T17:30:00Z  north-korea: 3/4 prefixes up (25.0% of the space dark), 12 peers, 42 updates; routes per peer via AS4837 1.2, AS20485 0.5"
        )
    }

    @Test("JSON: every field, maps in key order")
    func json() {
        #expect(
            Self.bin.jsonLine
                == #"{"type":"bin","target":"north-korea","start":"2025-06-06T17:30:00Z","seconds":300,"prefixes_up":3,"prefixes":4,"voting_peers":12,"updates":42,"visibility":{"175.45.176.0/24":1.0,"175.45.177.0/24":0.25},"upstreams":{"4837":1.25,"20485":0.5},"dark_share":0.25,"origins":{"131279":1.0}}"#
        )
    }
}
