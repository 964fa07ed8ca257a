import BGP
import Testing
import Vigil
import VigilTesting

/// The rules that make diagnosis hold on the real Internet (issue 15), on small hand-made worlds whose
/// right readings are worked out by hand in each test.
@Suite(.ownThread) struct RealWorldRulesTests {
    /// Runs events through a view and a detector as the replay does.
    struct World {
        var view: RoutingView
        var detector: Detector
        var events: [DetectedEvent] = []
        let peers: [PeerKey]

        init(target: Target, peerASNs: [UInt32], judge: LeakJudge? = LeakJudge()) {
            view = RoutingView(target: target, leakJudge: judge)
            detector = Detector(target: target)
            peers = peerASNs.enumerated().map {
                PeerKey(collector: "t", address: IPAddress(v4: 0x0A00_0001 + UInt32($0.offset)), asn: $0.element)
            }
        }

        mutating func send(_ e: RouteEvent) {
            if view.apply(e) { _ = detector.observe(TargetSignals(changesOf: &view, time: e.time)) }
            detector.tick(now: e.time)
            events += detector.drainFinished()
        }

        /// Peer `i` (1-based) announces `prefix` with `path` (its own AS first, origin last).
        mutating func announce(_ i: Int, _ prefix: IPPrefix, path: [UInt32], at t: Double) {
            let origin = path.last
            let upstream = path.count >= 2 ? path[path.count - 2] : nil
            send(
                RouteEvent(
                    time: t, peer: peers[i - 1], kind: .announce, prefix: prefix, origin: origin, upstream: upstream,
                    path: path))
        }

        mutating func withdraw(_ i: Int, _ prefix: IPPrefix, at t: Double) {
            send(RouteEvent(time: t, peer: peers[i - 1], kind: .withdraw, prefix: prefix))
        }

        mutating func finish() -> [DetectedEvent] {
            events += detector.finish()
            return events
        }
    }

    static func p(_ text: String) -> IPPrefix {
        guard let p = IPPrefix(text) else { preconditionFailure(text) }
        return p
    }

    /// `count` /24s from 100.64.0.0 on (data only: nothing is sent anywhere).
    static func slash24s(_ count: Int) -> [IPPrefix] {
        (0..<count).map { IPPrefix(address: IPAddress(v4: 0x6440_0000 + UInt32($0) << 8), length: 24) }
    }

    @Test(
        "a large target: one prefix of 400 dark is no outage; 21 are; the end comes when the space is back, and a prefix that never returns leaves the baseline"
    )
    func outagesAtTheTargetsScale() {
        let prefixes = Self.slash24s(400)
        let target = Target(name: "big", originASNs: [65000], prefixes: prefixes)
        var w = World(target: target, peerASNs: [1, 2, 3])
        for i in 1...3 { for p in prefixes { w.announce(i, p, path: [UInt32(i), 65001, 65000], at: 0) } }
        // 1 of 400 /24s is 0.25% of the space: under the 1% line.
        for i in 1...3 { w.withdraw(i, prefixes[0], at: 100) }
        #expect(w.detector.openEvents().isEmpty)
        // 21 of 400 is 5.25%: an outage, dated from the first of its prefixes to go dark (100).
        for i in 1...3 { for p in prefixes[1...20] { w.withdraw(i, p, at: 200) } }
        let open = w.detector.openEvents()
        #expect(open.count == 1)
        #expect(open.first?.start == 100)
        // The 20 come back at 300: 1 of 400 (0.25%) is under half the opening 1%, so it ends at 300.
        for i in 1...3 { for p in prefixes[1...20] { w.announce(i, p, path: [UInt32(i), 65001, 65000], at: 300) } }
        // Past the merge window (600 s) it is final, with the prefix that never came back recorded.
        w.announce(1, prefixes[399], path: [1, 65001, 65000], at: 1000)
        #expect(w.events.count == 1)
        let e = w.events.first
        #expect(e?.end == 300)
        #expect(e?.prefixes.count == 21)
        #expect(e?.evidence.contains { $0.hasPrefix("1 of them had not come back by") } == true)
        // The baseline moved on: 3 more dark are 3 of 400 /24s (0.75%), no outage. Had the first stayed
        // in the baseline as dark, 4 of 400 (1%) would open one.
        for i in 1...3 { for p in prefixes[30...32] { w.withdraw(i, p, at: 2000) } }
        #expect(w.finish().count == 1)
    }

    @Test("live, where a prefix's earlier state counts as up: withdrawing everything is one outage")
    func liveOutage() {
        let prefixes = ["175.45.176.0/24", "175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24"].map(Self.p)
        var w = World(target: Target(name: "kp", originASNs: [131279], prefixes: prefixes), peerASNs: [1, 2])
        w.detector.assumesUpAtStart = true
        for i in 1...2 { for p in prefixes { w.announce(i, p, path: [UInt32(i), 4837, 131279], at: 0) } }
        for i in 1...2 { for p in prefixes { w.withdraw(i, p, at: 100) } }
        let events = w.finish()
        #expect(events.map(\.cause) == [.originSide])
        #expect(events.first?.start == 100)
        #expect(events.first?.prefixes == prefixes)
    }

    @Test(
        "a country's registry is a hint: origins seen in the first minutes are its baseline; a new origin in space others announced is a hijack; fresh space is adopted"
    )
    func registryOriginsAreAHint() {
        func run(registry: Bool) -> [DetectedEvent] {
            var target = Target(name: "cc", originASNs: [65000], prefixes: [Self.p("10.0.0.0/8")])
            target.originsFromRegistry = registry
            var w = World(target: target, peerASNs: [1, 2])
            for i in 1...2 {
                w.announce(i, Self.p("10.1.0.0/16"), path: [UInt32(i), 65001, 65000], at: 0)
                // Registered elsewhere, announcing this country's space: normal for a multinational.
                w.announce(i, Self.p("10.2.0.0/16"), path: [UInt32(i), 65001, 64999], at: 0)
            }
            // After the 900 s window: a more-specific of its own /16 by the same AS is its own.
            for i in 1...2 { w.announce(i, Self.p("10.2.5.0/24"), path: [UInt32(i), 65001, 64999], at: 2000) }
            // A new origin inside AS65000's /16: a hijack.
            for i in 1...2 { w.announce(i, Self.p("10.1.5.0/24"), path: [UInt32(i), 65002, 64777], at: 2100) }
            // Space nobody announced before: nobody loses anything.
            for i in 1...2 { w.announce(i, Self.p("10.3.0.0/16"), path: [UInt32(i), 65002, 64888], at: 2200) }
            return w.finish().filter { $0.cause == .hijack }.sorted { $0.start < $1.start }
        }
        let country = run(registry: true)
        #expect(country.map(\.origins) == [[64777]])
        #expect(country.first?.prefixes == [Self.p("10.1.5.0/24")])
        #expect(country.first?.start == 2100)
        #expect(country.first?.evidence.first?.contains("announced before by AS65000") == true)
        // A targets file's origins are the operator's word: without a RIB, every other origin is a hijack.
        let declared = run(registry: false)
        #expect(declared.map(\.origins) == [[64999], [64777], [64888]])
    }

    @Test("a RIB is the baseline for a declared target too: a second origin found in it is allowed")
    func ribOriginsAreAllowed() {
        let target = Target(name: "t", originASNs: [65000], prefixes: [Self.p("10.1.0.0/16")])
        var w = World(target: target, peerASNs: [1, 2])
        for i in 1...2 {
            w.send(
                RouteEvent(
                    time: 0, peer: w.peers[i - 1], kind: .ribEntry, prefix: Self.p("10.1.0.0/16"), origin: 64999,
                    upstream: 65001))
        }
        for i in 1...2 { w.announce(i, Self.p("10.1.0.0/16"), path: [UInt32(i), 65001, 64999], at: 100) }
        for i in 1...2 { w.announce(i, Self.p("10.1.7.0/24"), path: [UInt32(i), 65003, 64555], at: 200) }
        let hijacks = w.finish().filter { $0.cause == .hijack }
        #expect(hijacks.map(\.origins) == [[64555]])
    }

    /// Relationships as a CAIDA file states them.
    static let caida = """
        # a|b|-1: a is b's provider; a|b|0: peers
        4837|131279|-1
        3356|4837|-1
        4837|64500|-1
        174|64500|-1
        174|3356|0
        """

    @Test("CAIDA as-rel lines are read, bad ones reported with their line number")
    func readsCAIDAFiles() {
        let (rels, problems) = ASRelationships.parse(caida: Self.caida + "\n1|2|7\nx|3|0\n5|5|0\n1|2\n")
        #expect(rels.count == 5)
        #expect(rels.relation(3356, 4837) == .provider)
        #expect(rels.relation(4837, 3356) == .customer)
        #expect(rels.relation(174, 3356) == .peer)
        #expect(rels.relation(174, 4837) == nil)
        #expect(problems.map(\.line) == [7, 8, 9, 10])
    }

    @Test("a path through an AS that passes its provider's route to another provider is a leak at that AS")
    func findsValleys() {
        let (rels, _) = ASRelationships.parse(caida: Self.caida)
        let judge = LeakJudge(given: rels)
        // 2914 174 64500 4837 131279: 4837 passes its customer's route up (fine); 64500 learned it from its
        // provider 4837 and gave it to its provider 174: the valley.
        let leak = judge.leak(in: [2914, 174, 64500, 4837, 131279])
        #expect(leak?.leaker == 64500)
        #expect(leak?.from == 4837)
        #expect(leak?.to == 174)
        #expect(judge.leak(in: [174, 3356, 4837, 131279]) == nil)  // up, across, down: valley-free
        // Degrees from a handful of paths say nothing.
        var inferred = LeakJudge()
        inferred.degrees.add(path: [174, 64500, 4837, 131279])
        #expect(inferred.leak(in: [174, 64500, 4837, 131279]) == nil)
    }

    @Test("a route leak is one event naming the leaker, whom it leaked to and from, and the prefixes")
    func routeLeakEvent() {
        let (rels, _) = ASRelationships.parse(caida: Self.caida)
        let prefixes = ["175.45.176.0/24", "175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24"].map(Self.p)
        let target = Target(name: "kp", originASNs: [131279], prefixes: prefixes)
        func run(_ judge: LeakJudge) -> [DetectedEvent] {
            var w = World(target: target, peerASNs: [3356, 174, 2914], judge: judge)
            for p in prefixes {
                w.announce(1, p, path: [3356, 4837, 131279], at: 0)
                w.announce(2, p, path: [174, 3356, 4837, 131279], at: 0)
                // Peer 3's first word for .179 crosses the valley: how things stood, not a change.
                w.announce(
                    3, p, path: p == prefixes[3] ? [2914, 174, 64500, 4837, 131279] : [2914, 3356, 4837, 131279], at: 0)
            }
            // Path hunting after a withdrawal: 30 s through the valley, shorter than the 90 s transient.
            w.announce(1, prefixes[2], path: [3356, 174, 64500, 4837, 131279], at: 200)
            w.announce(1, prefixes[2], path: [3356, 4837, 131279], at: 230)
            for p in prefixes[0...1] {
                w.announce(2, p, path: [174, 64500, 4837, 131279], at: 500)
                w.announce(3, p, path: [2914, 174, 64500, 4837, 131279], at: 500)
            }
            for p in prefixes[0...1] {
                w.announce(2, p, path: [174, 3356, 4837, 131279], at: 700)
                w.announce(3, p, path: [2914, 3356, 4837, 131279], at: 700)
            }
            return w.finish()
        }
        let events = run(LeakJudge(given: rels))
        #expect(events.map(\.cause) == [.routeLeak])
        let e = events.first
        #expect(e?.upstreams == [64500])
        #expect(e?.prefixes == Array(prefixes[0...1]))
        #expect(e?.start == 500)
        #expect(e?.end == 700)
        let text = e?.evidence.joined(separator: "\n") ?? ""
        #expect(text.contains("from its provider AS4837 to its provider AS174"), "\(text)")
        #expect(text.contains("carried by up to 2 of the 3 peers up"), "\(text)")
        // With relationships inferred from five paths, nothing is judged: no event rather than a guess.
        #expect(run(LeakJudge()).isEmpty)
    }

    /// 40 /24s: 0-9 only via AS65001; 10-19 via AS65001 at peers 1-2 and AS65002 at peers 3-4; 20-39 via
    /// AS65002. Returns the world after that baseline.
    static func twoUpstreams() -> (World, [IPPrefix]) {
        let prefixes = slash24s(40)
        var w = World(target: Target(name: "net", originASNs: [65000], prefixes: prefixes), peerASNs: [1, 2, 3, 4])
        for i in 1...4 {
            for (n, p) in prefixes.enumerated() {
                let up: UInt32 = n < 10 || (n < 20 && i <= 2) ? 65001 : 65002
                w.announce(i, p, path: [UInt32(i), up, 65000], at: 0)
            }
        }
        return (w, prefixes)
    }

    @Test("prefixes withdrawn from every upstream while those upstreams keep the rest: origin-side, partial")
    func partialOriginSide() {
        var (w, prefixes) = Self.twoUpstreams()
        // The origin withdraws 0-4 and 20-24 everywhere: 10 of 40 (25%). AS65001 keeps 0-9's other half and
        // 10-19 (15 routes per peer before, 12.5 after: above half); AS65002 likewise.
        for i in 1...4 { for p in prefixes[0...4] + prefixes[20...24] { w.withdraw(i, p, at: 100) } }
        let events = w.finish()
        #expect(events.map(\.cause) == [.originSide])
        #expect(events.first?.prefixes.count == 10)
        #expect(events.first?.evidence.contains { $0.contains("the origin withdrew them") } == true)
    }

    @Test("an upstream losing its paths to prefixes that stay up through another: upstream-loss, not the origin")
    func partialUpstreamLoss() {
        var (w, prefixes) = Self.twoUpstreams()
        // AS65001 cut at 100: 0-9 go dark; peers 1-2 move 10-19 to AS65002, which stay up.
        for i in 1...4 { for p in prefixes[0...9] { w.withdraw(i, p, at: 100) } }
        for i in 1...2 { for p in prefixes[10...19] { w.announce(i, p, path: [UInt32(i), 65002, 65000], at: 100) } }
        let events = w.finish()
        #expect(events.map(\.cause) == [.upstreamLoss])
        #expect(events.first?.upstreams == [65001])
    }
}

@Suite(.ownThread) struct AggregationTests {
    static func p(_ t: String) -> IPPrefix { RealWorldRulesTests.p(t) }

    @Test("prefixes aggregate into the fewest covering blocks, by hand")
    func aggregates() {
        // North Korea's four /24s are its /22.
        let kp = ["175.45.179.0/24", "175.45.176.0/24", "175.45.178.0/24", "175.45.177.0/24"].map(Self.p)
        #expect(IPPrefix.aggregated(kp) == [Self.p("175.45.176.0/22")])
        // 10.0.0/24 and 10.0.1/24 are 10.0.0.0/23; 10.0.3/24 has no sibling (10.0.2/24 is missing).
        let gap = ["10.0.0.0/24", "10.0.1.0/24", "10.0.3.0/24"].map(Self.p)
        #expect(IPPrefix.aggregated(gap) == [Self.p("10.0.0.0/23"), Self.p("10.0.3.0/24")])
        // 10.0.1.0/24 and 10.0.2.0/24 are adjacent but not halves of one /23.
        let unaligned = ["10.0.1.0/24", "10.0.2.0/24"].map(Self.p)
        #expect(IPPrefix.aggregated(unaligned) == unaligned)
        // A prefix inside another disappears; merging cascades (/25 + /25 -> /24, + /24 -> /23).
        let nested = ["10.1.0.0/16", "10.1.2.0/24", "10.2.0.0/25", "10.2.0.128/25", "10.2.1.0/24"].map(Self.p)
        #expect(IPPrefix.aggregated(nested) == [Self.p("10.1.0.0/16"), Self.p("10.2.0.0/23")])
    }
}
