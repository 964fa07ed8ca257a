import BGP
import Testing
import Vigil
import VigilStore
import VigilTesting

@testable import VigilServer

/// What a hook is told, from what it was told before: hand-built sequences.
@Suite(.ownThread) struct AlertPlannerTests {
    static func event(cause: Cause = .upstreamLoss, prefixes: [String] = ["175.45.177.0/24"], end: Double? = nil)
        -> DetectedEvent
    {
        DetectedEvent(
            id: 7, target: "north-korea", cause: cause, confidence: 0.8, start: 100, end: end,
            prefixes: prefixes.compactMap(IPPrefix.init), upstreams: [20485], severity: 1, evidence: [])
    }

    @Test("an event: start once, update only on a new cause or scope, end once, nothing after")
    func eventLife() {
        let e = Self.event()
        let start = AlertPlanner.plan(event: e, open: true, told: nil)
        #expect(start.map(\.kind) == [.eventStart])
        let told = start[0].told
        // Seen again unchanged (a rescan, a restart): nothing.
        #expect(AlertPlanner.plan(event: e, open: true, told: told).isEmpty)
        // Scope grows: one update that replaces any waiting one.
        let wider = Self.event(prefixes: ["175.45.177.0/24", "175.45.176.0/24"])
        let update = AlertPlanner.plan(event: wider, open: true, told: told)
        #expect(update.map(\.kind) == [.eventUpdate])
        #expect(update.first?.replacing == true)
        // The same scope listed in another order is no change.
        let reordered = Self.event(prefixes: ["175.45.176.0/24", "175.45.177.0/24"])
        #expect(AlertPlanner.plan(event: reordered, open: true, told: update[0].told).isEmpty)
        // Cause changes: an update.
        #expect(
            AlertPlanner.plan(event: Self.event(cause: .upstreamDown), open: true, told: told).map(\.kind)
                == [.eventUpdate])
        let end = AlertPlanner.plan(event: Self.event(end: 200), open: false, told: told)
        #expect(end.map(\.kind) == [.eventEnd])
        #expect(AlertPlanner.plan(event: Self.event(end: 200), open: false, told: end[0].told).isEmpty)
    }

    @Test("an event first seen closed gets its start and its end, in that order")
    func shortEvent() {
        #expect(
            AlertPlanner.plan(event: Self.event(end: 130), open: false, told: nil).map(\.kind) == [
                .eventStart, .eventEnd,
            ])
    }

    @Test("feed gaps: told after the grace period, restored only when lost was told; short gaps never")
    func gaps() {
        var gap = FeedGap(id: 3, source: "ris-live", start: 1_000, end: nil, reason: "connection closed")
        #expect(AlertPlanner.plan(gap: gap, told: nil, time: 1_030, grace: 60).isEmpty)
        let lost = AlertPlanner.plan(gap: gap, told: nil, time: 1_060, grace: 60)
        #expect(lost.map(\.kind) == [.feedLost])
        #expect(AlertPlanner.plan(gap: gap, told: "lost", time: 1_100, grace: 60).isEmpty)
        gap.end = 1_200
        #expect(AlertPlanner.plan(gap: gap, told: "lost", time: 1_201, grace: 60).map(\.kind) == [.feedRestored])
        #expect(AlertPlanner.plan(gap: gap, told: "restored", time: 1_300, grace: 60).isEmpty)
        // A 20-second drop: ignored for good, so a flapping connection raises nothing.
        let blip = FeedGap(id: 4, source: "ris-live", start: 2_000, end: 2_020, reason: "connection closed")
        let plan = AlertPlanner.plan(gap: blip, told: nil, time: 2_021, grace: 60)
        #expect(plan.map(\.told) == ["ignored"])
        #expect(AlertPlanner.plan(gap: blip, told: "ignored", time: 2_100, grace: 60).isEmpty)
        // A gap first seen already closed but long: both, in order.
        let long = FeedGap(id: 5, source: "bmp", start: 3_000, end: 3_500, reason: "peer down")
        #expect(
            AlertPlanner.plan(gap: long, told: nil, time: 3_501, grace: 60).map(\.kind) == [.feedLost, .feedRestored])
    }
}
