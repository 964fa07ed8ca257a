import BGP
import Foundation
import MRT
import RISLive
import Testing
import Vigil
import VigilClock
import VigilReplay
import VigilStore
import VigilTesting

@testable import VigilLive

/// Live monitoring end to end on the routing lab's scenarios: the collector's RIB seeds the engine (as
/// `vigil watch --rib`), its updates arrive as RIS Live frames over a real websocket from the fake server,
/// and the event committed to the SQLite store must carry the ground truth's cause, prefixes and upstreams,
/// start within 5 s of the fault and end within 5 s of the repair.
@Suite(.enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"))
struct LiveLabTests {
    /// Runs one scenario live, watching North Korea and `others` (one engine, one subscription set);
    /// returns the store's events, oldest first.
    static func watch(_ truth: LabRecordings.GroundTruth, others: [Target] = []) async throws -> [DetectedEvent] {
        var targets = [Target.northKorea] + others
        for i in targets.indices { targets[i].thresholds.fullFeedIPv4 = truth.population / 2 }
        let ribs = truth.mrt.filter { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("rib") }
        let updates = truth.mrt.filter { !ribs.contains($0) }
        let host = MRTReader.collectorLabel(forFile: try #require(ribs.first))
        let frames = try RISLiveFrames.fromMRT(updates, host: host)
        let store = try Live.temporaryStore()
        let engine = LiveEngine(
            targets: targets, store: store, binSeconds: 60,
            thresholds: targets.map { $0.thresholds.scaled(by: truth.speed) })
        _ = try engine.resume(now: truth.faultAt - 3600)
        _ = try RIBSeeder.seed(engine, paths: ribs) { Issue.record("RIB warning: \($0)") }
        engine.settleVotes()
        let server = FakeRISLiveServer(frames: frames)
        let serverTask = try await Live.start(server)
        defer { serverTask.cancel() }
        var subscriptions = [RISSubscription(prefix: "175.45.176.0/22")]
        subscriptions += ["131279$", "4837$", "20485$"].map { RISSubscription(path: $0) }
        if !others.isEmpty { subscriptions = RISSubscription.covering(targets) }
        let client = RISLiveClient(
            configuration: Live.configuration(server.url, subscriptions: subscriptions), logger: Live.logger,
            clock: SystemClock())
        let clientTask = Task {
            await client.run { event in
                if case .message(let m) = event { engine.apply(m) }
            }
        }
        defer { clientTask.cancel() }
        let done = try await Live.wait(seconds: 60) {
            server.remaining == 0 && engine.counters.risMessages == server.framesSent
        }
        try #require(done, "the stream did not drain: \(server.remaining) left, \(engine.counters.risMessages) applied")
        try engine.shutdown(now: (truth.repairedAt ?? truth.faultAt) + 3600)
        return try store.events().reversed()
    }

    @Test(arguments: LabRecordings.scenarios.filter { $0 != "collector-feed-loss" })
    func liveMatchesTheGroundTruth(scenario: String) async throws {
        let truth = try LabRecordings.truth(scenario)
        let events = try await Self.watch(truth)
        let summary = events.map {
            "\($0.cause.rawValue) \($0.prefixes) \($0.upstreams) \($0.start)-\(String(describing: $0.end))"
        }
        try #require(events.count == 1, "expected one event, got \(summary)")
        let e = events[0]
        let problems = LabRecordings.mismatches(
            truth, cause: e.cause.rawValue, prefixes: e.prefixes.map(\.description), upstreams: e.upstreams,
            start: e.start, end: e.end)
        #expect(problems.isEmpty, "\(problems); all: \(summary)")
    }

    @Test func feedLossIsOnlyFeedHealth() async throws {
        let truth = try LabRecordings.truth("collector-feed-loss")
        let events = try await Self.watch(truth)
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { $0.cause == .feedProblem }, "\(events.map(\.cause))")
    }
}
