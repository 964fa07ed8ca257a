import BGP
import Testing
import VigilTesting

@testable import Vigil

/// One test per diagnosis rule, on hand-built sequences; each states why its verdict is the right one.
@Suite(.ownThread) struct DiagnosisTests {
    typealias H = ScenarioHarness

    @Test func everythingWithdrawnAtOnceIsOriginSide() {
        var h = H()
        h.baseline()
        // Peer i withdraws all four prefixes at 100 + i/10. With 4 voting peers a prefix is down once fewer
        // than 2 see it (visibility < 0.5): after peer 3's withdrawals, at 100.3.
        for peer in 1...4 {
            for p in [H.p176, H.p177, H.p178, H.p179] { h.withdraw(peer, p, at: 100 + Double(peer) / 10) }
        }
        let events = h.finish()
        #expect(events.count == 1)
        let e = events[0]
        #expect(e.cause == .originSide)
        #expect(e.prefixes == [H.p176, H.p177, H.p178, H.p179])
        #expect(e.upstreams == [4837, 20485])
        #expect(e.start == 100.3)
        #expect(e.end == nil)
        // Both upstreams' own prefixes stayed at every peer: the evidence says so.
        #expect(e.evidence.contains { $0.contains("AS4837 (China Unicom)'s own prefixes stayed visible") })
    }

    @Test func oneUpstreamsPathsVanishingIsUpstreamLoss() {
        var h = H()
        h.baseline()
        // TTK's session to the origin is cut: .177 (only via AS20485) is withdrawn everywhere; .178 and .179
        // move from AS20485 to AS4837 at peers 3-4. Paths via AS4837 remain, TTK's own prefix stays.
        for peer in 1...4 { h.withdraw(peer, H.p177, at: 200 + Double(peer)) }
        for peer in 3...4 {
            h.announce(peer, H.p178, via: 4837, at: 200.5 + Double(peer))
            h.announce(peer, H.p179, via: 4837, at: 200.5 + Double(peer))
        }
        let events = h.finish()
        #expect(events.count == 1)
        #expect(events.first?.cause == .upstreamLoss)
        #expect(events.first?.prefixes == [H.p177])
        #expect(events.first?.upstreams == [20485])
        #expect(events.first?.start == 203)  // the third peer's withdrawal leaves 1 of 4
    }

    @Test func upstreamWhoseOwnPrefixesVanishIsDown() {
        var h = H()
        h.baseline()
        // As above, but AS20485's own prefix is withdrawn everywhere too: the upstream itself failed.
        for peer in 1...4 {
            h.withdraw(peer, H.p177, at: 300 + Double(peer))
            h.withdraw(peer, H.ttkOwn, at: 300 + Double(peer))
        }
        for peer in 3...4 {
            h.announce(peer, H.p178, via: 4837, at: 306)
            h.announce(peer, H.p179, via: 4837, at: 306)
        }
        let events = h.finish()
        #expect(events.map(\.cause) == [.upstreamDown])
        #expect(events.first?.upstreams == [20485])
        #expect(events.first?.prefixes == [H.p177])
    }

    @Test func upstreamsLostOneAfterAnotherAreUpstreamLoss() {
        var h = H()
        h.baseline()
        // Unicom's paths go at 100 (.176 dark, .178/.179 move to AS20485 at peers 1-2), TTK's 300 s later:
        // more than the 90 s a withdrawal needs to propagate, so not one simultaneous internal failure.
        for peer in 1...4 { h.withdraw(peer, H.p176, at: 100) }
        for peer in 1...2 {
            h.announce(peer, H.p178, via: 20485, at: 101)
            h.announce(peer, H.p179, via: 20485, at: 101)
        }
        for peer in 1...4 {
            for p in [H.p177, H.p178, H.p179] { h.withdraw(peer, p, at: 400) }
        }
        let events = h.finish()
        #expect(events.count == 1)
        #expect(events.first?.cause == .upstreamLoss)
        #expect(events.first?.prefixes == [H.p176, H.p177, H.p178, H.p179])
        #expect(events.first?.upstreams == [4837, 20485])
        #expect(events.first?.start == 100)
    }

    @Test func upstreamsLostWithinTheTransientAreOriginSide() {
        var h = H()
        h.baseline()
        // The same sequence 10 s apart instead of 300: within route propagation, one internal failure.
        for peer in 1...4 { h.withdraw(peer, H.p176, at: 100) }
        for peer in 1...4 {
            for p in [H.p177, H.p178, H.p179] { h.withdraw(peer, p, at: 110) }
        }
        #expect(h.finish().map(\.cause) == [.originSide])
    }

    @Test func foreignOriginIsHijackWithoutOutage() {
        // With Thresholds.minPeers at 2, one peer's route would not be reported.
        var one = H()
        one.monitor.detector = Detector(
            target: H.target,
            thresholds: {
                var t = Thresholds(); t.minPeers = 2; return t
            }())
        one.baseline()
        one.announce(1, H.p178, origin: 64666, via: 6939, at: 500)
        #expect(one.finish().isEmpty)

        var h = H()
        h.baseline()
        // Peers 1 and 2 prefer AS64666's announcement of .178 (via AS6939); peers 3 and 4 keep the real one,
        // so .178 stays visible (2 of 4, the 50% line) and only a hijack is reported.
        h.announce(1, H.p178, origin: 64666, via: 6939, at: 500)
        h.announce(2, H.p178, origin: 64666, via: 6939, at: 500)
        let events = h.finish()
        #expect(events.map(\.cause) == [.hijack])
        #expect(events.first?.prefixes == [H.p178])
        #expect(events.first?.origins == [64666])
        #expect(events.first?.upstreams == [])
        #expect(events.first?.start == 500)
        #expect(events.first?.end == nil)
    }

    @Test func moreSpecificHijackDoesNotCountAsVisibility() {
        var h = H()
        h.baseline()
        let specific = IPPrefix("175.45.178.0/25")!
        for peer in 1...4 { h.announce(peer, specific, origin: 64666, via: 6939, at: 600) }
        for peer in 1...4 { h.withdraw(peer, specific, at: 700) }
        let events = h.finish()
        #expect(events.map(\.cause) == [.hijack])
        #expect(events.first?.prefixes == [specific])
        #expect(events.first?.end == 700)  // gone when the last peer withdrew it
    }

    @Test("one origin taking several prefixes in overlapping time is one hijack; another origin is another")
    func hijacksAreIncidentsNotPrefixes() {
        var h = H()
        h.baseline()
        // AS64666 takes .176 at 500 (peers 1, 2) and .177 at 550 (peer 3), and keeps them until 800 and 900;
        // AS64999 takes .179's lower half at 600 (peers 4 and 1) until 650.
        let low179 = IPPrefix("175.45.179.0/25")!
        h.announce(1, H.p176, origin: 64666, via: 6939, at: 500)
        h.announce(2, H.p176, origin: 64666, via: 6939, at: 500)
        h.announce(3, H.p177, origin: 64666, via: 6939, at: 550)
        h.announce(4, low179, origin: 64999, via: 3491, at: 600)
        h.announce(1, low179, origin: 64999, via: 3491, at: 600)
        h.withdraw(4, low179, at: 650)
        h.withdraw(1, low179, at: 650)
        h.withdraw(1, H.p176, at: 800)
        h.withdraw(2, H.p176, at: 800)
        h.withdraw(3, H.p177, at: 900)
        let events = h.finish().filter { $0.cause == .hijack }.sorted { $0.start < $1.start }
        #expect(events.count == 2)
        #expect(events.map(\.origins) == [[64666], [64999]])
        #expect(events.first?.prefixes == [H.p176, H.p177])
        #expect(events.first?.start == 500 && events.first?.end == 900)
        #expect(events.last?.prefixes == [low179] && events.last?.end == 650)
        // Counts first (2 prefixes, 2 /24 equivalents); 3 distinct peers of the 4 up carried AS64666's routes.
        let evidence = events.first?.evidence ?? []
        #expect(
            evidence.first?.hasPrefix(
                "2 prefixes of the target's space (2 /24 equivalents) announced with origin AS64666") == true)
        #expect(
            evidence.contains { $0.hasPrefix("carried by up to 3 of the 4 peers up at that moment") }, "\(evidence)")
    }

    @Test func losingOurSessionsIsAFeedProblemNotAnOutage() {
        var h = H()
        h.baseline()
        // Peers 2, 3, 4 go down at 100.1, 100.2, 100.3. Half of the 4 full-feed peers are lost at 100.2.
        // Peer 1 still sees everything, so no prefix goes dark.
        for peer in 2...4 { h.session(peer, up: false, at: 100 + Double(peer - 1) / 10) }
        let events = h.finish()
        #expect(events.map(\.cause) == [.feedProblem])
        #expect(events.first?.start == 100.2)
        #expect(events.first?.prefixes == [])
    }

    @Test func repeatedLossIsInstability() {
        var h = H()
        h.baseline()
        // Four cycles: everything withdrawn at 1000 + 60k, back 30 s later. Each return is within the 600 s
        // merge window of the last loss, so it is one event with four losses per prefix (>= 3: flapping).
        for k in 0..<4 {
            let t = 1000 + 60 * Double(k)
            for peer in 1...4 {
                for p in [H.p176, H.p177, H.p178, H.p179] { h.withdraw(peer, p, at: t) }
            }
            h.baseline(at: t + 30)
        }
        let events = h.finish()
        #expect(events.count == 1)
        #expect(events.first?.cause == .instability)
        #expect(events.first?.start == 1000)
        #expect(events.first?.end == 1210)  // the last return: 1000 + 3 * 60 + 30
        #expect(events.first?.upstreams == [4837, 20485])
    }

    @Test func recoveryEndsTheEvent() {
        var h = H()
        h.baseline()
        for peer in 1...4 {
            for p in [H.p176, H.p177, H.p178, H.p179] { h.withdraw(peer, p, at: 100) }
        }
        // Back at 1000, peer by peer a second apart: a prefix is up again once 2 of 4 see it, at 1001.
        for peer in 1...4 {
            for p in [H.p176, H.p177, H.p178, H.p179] {
                h.announce(peer, p, via: p == H.p177 ? 20485 : 4837, at: 999 + Double(peer))
            }
        }
        let events = h.finish()
        #expect(events.map(\.cause) == [.originSide])
        #expect(events.first?.end == 1001)
        // Severity: all 4 of 4 prefixes dark for 901 s = 15.0 lost-fraction minutes.
        #expect(abs((events.first?.severity ?? 0) - 901.0 / 60) < 0.01)
    }
}
