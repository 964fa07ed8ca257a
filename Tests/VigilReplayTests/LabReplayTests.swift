import BGP
import Testing
import Vigil
import VigilTesting

@testable import VigilReplay

/// End to end on the routing lab's recordings: for every scenario, the replay of the collector's MRT must
/// give the ground truth's cause, prefixes and upstreams, start within 5 s of the fault and end within 5 s
/// of the repair. The ground truth comes from the lab (what it did, and when), never from Vigil.
@Suite(.enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"), .ownThread)
struct LabReplayTests {
    static func replay(_ truth: LabRecordings.GroundTruth) -> [DetectedEvent] {
        var target = Target.northKorea
        // Every lab peer carries the background population: a full feed for any threshold below it.
        target.thresholds.fullFeedIPv4 = truth.population / 2
        let replayer = Replayer(target: target, thresholds: target.thresholds.scaled(by: truth.speed), binSeconds: 0)
        var events: [DetectedEvent] = []
        _ = replayer.run(paths: truth.mrt) { output in
            if case .event(let e) = output { events.append(e) }
        }
        return events
    }

    @Test(arguments: LabRecordings.scenarios.filter { $0 != "collector-feed-loss" })
    func replayMatchesTheGroundTruth(scenario: String) throws {
        let truth = try LabRecordings.truth(scenario)
        let events = Self.replay(truth)
        let summary = events.map {
            "\($0.cause.rawValue) \($0.prefixes) \($0.upstreams) \($0.start)-\(String(describing: $0.end))"
        }
        try #require(events.count == 1, "expected one event, got \(summary)")
        let e = events[0]
        let problems = LabRecordings.mismatches(
            truth, cause: e.cause.rawValue, prefixes: e.prefixes.map(\.description), upstreams: e.upstreams,
            start: e.start, end: e.end)
        #expect(problems.isEmpty, "\(problems)")
        if truth.repairedAt == nil { #expect(e.end == nil) }
    }

    @Test func feedLossIsNeverATargetOutage() throws {
        let truth = try LabRecordings.truth("collector-feed-loss")
        let events = Self.replay(truth)
        #expect(events.allSatisfy { $0.cause == .feedProblem }, "\(events.map(\.cause))")
        let feed = try #require(events.first)
        #expect(abs(feed.start - truth.faultAt) <= 5)
        #expect(feed.prefixes.isEmpty)
    }
}
