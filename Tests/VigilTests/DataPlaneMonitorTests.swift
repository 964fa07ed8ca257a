import Testing
import VigilTesting

@testable import Vigil

/// The data-plane monitor on hand-built rounds of probes (one a minute, no jitter): which events it
/// opens and closes, their times, causes and evidence, and what it adds to routing events. Every
/// expected time below is counted by hand from the rounds.
@Suite(.ownThread) struct DataPlaneMonitorTests {
    static func monitor() -> DataPlaneMonitor {
        var schedule = ProbeSchedule()
        schedule.interval = 60
        schedule.jitter = 0
        return DataPlaneMonitor(target: .northKorea, schedule: schedule)
    }

    /// Records one round at minute `round` (RTT, or nil for no answer, per host) and evaluates right after.
    static func round(
        _ m: inout DataPlaneMonitor, _ round: Int, _ rtts: [String: Double?], routesUp: Double? = 1,
        routing: [DetectedEvent] = [], next: inout Int
    ) -> [DataPlaneMonitor.Change] {
        let t = Double(round) * 60
        for (host, rtt) in rtts.sorted(by: { $0.key < $1.key }) {
            m.record(ProbeSample(host: host, time: t, reachable: rtt != nil, rttMs: rtt))
        }
        var id = next
        let changes = m.evaluate(now: t + 1, routesUp: routesUp, routingEvents: routing) {
            defer { id += 1 }
            return id
        }
        next = id
        return changes
    }

    static func opened(_ changes: [DataPlaneMonitor.Change]) -> DetectedEvent? {
        for c in changes { if case .opened(let e) = c { return e } }
        return nil
    }

    static func closed(_ changes: [DataPlaneMonitor.Change]) -> DetectedEvent? {
        for c in changes { if case .closed(let e) = c { return e } }
        return nil
    }

    @Test(
        "both hosts stop answering with the routes up: a data-plane event from the first failed round, closed by the first answer"
    )
    func abruptOutage() throws {
        var m = Self.monitor()
        var next = 7
        for r in 0..<10 { #expect(Self.round(&m, r, ["a": 10, "b": 12], next: &next).isEmpty) }
        // Round 10: one failure each, below the two the rule needs.
        #expect(Self.opened(Self.round(&m, 10, ["a": nil, "b": nil], next: &next)) == nil)
        let e = try #require(Self.opened(Self.round(&m, 11, ["a": nil, "b": nil], next: &next)))
        #expect(e.id == 7 && next == 8)
        #expect(e.cause == .dataPlane)
        #expect(e.start == 600)  // round 10, the first failure of both
        #expect(e.end == nil)
        #expect(e.prefixes.count == 4)
        #expect(e.confidence == 0.7)
        #expect(e.evidence.contains("the routes stayed up: 4 of 4 prefixes visible"))
        #expect(e.evidence.contains { $0.hasPrefix("no rise in loss or round trips") })
        #expect(e.evidence.contains { $0.contains("a (last answer 1970-01-01T00:09:00Z)") })
        // Still failing: nothing new.
        #expect(Self.round(&m, 12, ["a": nil, "b": nil], next: &next).isEmpty)
        // Round 13: a answers, b does not: the outage ends at a's answer; b is now a host problem.
        let changes = Self.round(&m, 13, ["a": 11, "b": nil], next: &next)
        let end = try #require(Self.closed(changes))
        #expect(end.id == 7 && end.end == 780)
        #expect(end.severity == 3)  // (780 - 600) / 60
        #expect(
            changes.contains {
                if case .notice(let n) = $0 { return n.text.hasPrefix("probe host b stopped answering") }
                return false
            })
        #expect(m.open == nil)
    }

    @Test("round trips and loss rising before the failure: attack")
    func congestion() throws {
        var m = Self.monitor()
        var next = 1
        for r in 0..<6 { _ = Self.round(&m, r, ["a": 10, "b": 10], next: &next) }
        // Rounds 6-9: round trips four times as long, one loss each (round 7).
        for r in 6..<10 { _ = Self.round(&m, r, ["a": r == 7 ? nil : 40, "b": r == 7 ? nil : 40], next: &next) }
        _ = Self.round(&m, 10, ["a": nil, "b": nil], next: &next)
        let e = try #require(Self.opened(Self.round(&m, 11, ["a": nil, "b": nil], next: &next)))
        #expect(e.cause == .attack)
        #expect(e.confidence == 0.6)
        // Host a before failing: rounds 0-9, the later half 5-9 has one loss of five (20%), median 40 ms
        // against 10 ms in rounds 0-4.
        #expect(e.evidence.contains("a before failing: 20% loss, median round trip 10 ms then 40 ms"))
    }

    @Test("routes down too: no data-plane event; the routing event gets the probes' corroboration")
    func corroboration() throws {
        var m = Self.monitor()
        var next = 3
        for r in 0..<5 { _ = Self.round(&m, r, ["a": 10, "b": 10], next: &next) }
        let routing = DetectedEvent(
            id: 2, target: "north-korea", cause: .originSide, confidence: 0.8, start: 290, end: nil, prefixes: [],
            upstreams: [], severity: 0, evidence: [])
        _ = Self.round(&m, 5, ["a": nil, "b": nil], routesUp: 0, routing: [routing], next: &next)
        let changes = Self.round(&m, 6, ["a": nil, "b": nil], routesUp: 0, routing: [routing], next: &next)
        #expect(Self.opened(changes) == nil && next == 3)
        #expect(m.verdict == .corroboratesRouting)
        #expect(
            m.notes(for: 2).first == "probes corroborate: none of the 2 probed hosts answered at 1970-01-01T00:06:01Z")
        // Said once.
        _ = Self.round(&m, 7, ["a": nil, "b": nil], routesUp: 0, routing: [routing], next: &next)
        #expect(m.notes(for: 2).count == 1)
    }

    @Test("the probes still answering while a routing event is open: they disagree")
    func disagreement() {
        var m = Self.monitor()
        var next = 3
        let routing = DetectedEvent(
            id: 2, target: "north-korea", cause: .upstreamLoss, confidence: 0.8, start: 10, end: nil, prefixes: [],
            upstreams: [], severity: 0, evidence: [])
        // An answer from before the event says nothing about it.
        _ = Self.round(&m, 0, ["a": 10], routesUp: 0.5, routing: [routing], next: &next)
        #expect(m.notes(for: 2).isEmpty)
        _ = Self.round(&m, 1, ["a": 10], routesUp: 0.5, routing: [routing], next: &next)
        #expect(m.notes(for: 2).first?.hasPrefix("probes disagree: the 1 probed hosts still answered") == true)
    }

    @Test("our own feed failing at the same time: no data-plane event")
    func feedProblem() {
        var m = Self.monitor()
        var next = 1
        let feed = DetectedEvent(
            id: 9, target: "north-korea", cause: .feedProblem, confidence: 0.9, start: 0, end: nil, prefixes: [],
            upstreams: [], severity: 0, evidence: [])
        for r in 0..<3 { _ = Self.round(&m, r, ["a": 10], next: &next) }
        for r in 3..<6 {
            #expect(Self.opened(Self.round(&m, r, ["a": nil], routesUp: nil, routing: [feed], next: &next)) == nil)
        }
        #expect(m.open == nil)
    }

    @Test("a traceroute that stops at the upstream's border names the upstream")
    func breakpoint() throws {
        var m = Self.monitor()
        var next = 1
        let path: [(address: String, asn: UInt32?)] = [
            ("198.18.0.1", 64500), ("198.18.1.1", 4837), ("198.18.2.1", 4837), ("198.18.3.1", 131279),
            ("198.18.4.2", 131279),
        ]
        m.record(trace: TraceSample(host: "h", time: 0, reached: true, hops: path))
        for r in 0..<3 { _ = Self.round(&m, r, ["tcp://h:80": 10, "icmp://h": 10], next: &next) }
        _ = Self.round(&m, 3, ["tcp://h:80": nil, "icmp://h": nil], next: &next)
        m.record(trace: TraceSample(host: "h", time: 185, reached: false, hops: Array(path.prefix(3))))
        let e = try #require(Self.opened(Self.round(&m, 4, ["tcp://h:80": nil, "icmp://h": nil], next: &next)))
        #expect(e.upstreams == [4837])
        #expect(
            e.evidence.contains(
                "traceroute to h stops at the border: AS4837 (China Unicom)'s last router 198.18.2.1 (hop 3) answered, the target's first did not"
            ))
    }
}
