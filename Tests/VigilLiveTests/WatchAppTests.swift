import BGP
import Foundation
import RISLive
import Testing
import Vigil
import VigilApp
import VigilClock
import VigilStore
import VigilTesting

@testable import VigilLive

/// `vigil watch` assembled in-process (`WatchApp`), as the CLI runs it but without a process: the console
/// lines it says, the store it fills, and the one-line failures it throws.
@Suite(.enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"))
struct WatchAppTests {
    @Test(
        "two targets over the lab's origin-down stream: the console names each event's target, the store holds both events as the ground truth reads, run returns when cancelled"
    )
    func twoTargets() async throws {
        let truth = try LabRecordings.truth("origin-down")
        let ribs = truth.mrt.filter { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("rib") }
        let updates = truth.mrt.filter { !ribs.contains($0) }
        let frames = try RISLiveFrames.fromMRT(
            updates, host: URL(fileURLWithPath: ribs[0]).deletingLastPathComponent().lastPathComponent)
        let server = FakeRISLiveServer(frames: frames)
        let serverTask = try await Live.start(server)
        defer { serverTask.cancel() }
        var twin = Target.northKorea
        twin.name = "nk-twin"
        var targets = [Target.northKorea, twin]
        for i in targets.indices { targets[i].thresholds.fullFeedIPv4 = truth.population / 2 }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var c = WatchApp.Configuration(targets: targets, storePath: dir.appendingPathComponent("h.sqlite").path)
        c.thresholds = targets.map { $0.thresholds.scaled(by: truth.speed) }
        c.ribs = ribs
        c.risLive = Live.configuration(server.url, subscriptions: RISSubscription.covering(targets))
        let (out, err) = (Locked<[String]>(), Locked<[String]>())
        let app = WatchApp(configuration: c, out: { out.append($0) }, err: { err.append($0) })
        let run = Task { try await app.run() }
        let drained = try await Live.wait(seconds: 60) {
            server.remaining == 0 && out.value.filter { $0.hasPrefix("EVENT OPEN") }.count == 2
        }
        try #require(drained, "\(server.remaining) frames left; \(out.value); \(err.value)")
        try await Task.sleep(for: .seconds(2))
        run.cancel()
        let counters = try await run.value
        #expect(counters.risMessages == server.framesSent, "\(counters)")
        #expect(err.value.contains { $0.contains("watching 2 targets (north-korea, nk-twin") }, "\(err.value)")
        let opened = out.value.filter { $0.hasPrefix("EVENT OPEN") }
        // Each opening line names its target (the cause may sharpen in later updates; the store has the last).
        #expect(
            opened.contains { $0.hasPrefix("EVENT OPEN 1 north-korea: ") || $0.hasPrefix("EVENT OPEN 2 north-korea: ") }
        )
        #expect(opened.contains { $0.hasPrefix("EVENT OPEN 1 nk-twin: ") || $0.hasPrefix("EVENT OPEN 2 nk-twin: ") })
        // Stopped cleanly: the store says so at once (not "running" for the health report's 30 s).
        #expect(try History(path: c.storePath).statusReport(now: Date().timeIntervalSince1970).running == false)
        let events = try History(path: c.storePath).events()
        for name in ["north-korea", "nk-twin"] {
            let mine = try #require(events.first { $0.target == name }, "\(name): \(events)")
            #expect(
                LabRecordings.mismatches(
                    truth, cause: mine.cause.rawValue, prefixes: mine.prefixes.map(\.description),
                    upstreams: mine.upstreams, start: mine.start, end: mine.end, checksEnd: false
                ).isEmpty)
        }
    }

    @Test("a store that cannot be opened is one line naming it, thrown before anything runs")
    func storeFailure() async throws {
        let path = "/nonexistent-\(UUID().uuidString)/h.sqlite"
        let app = WatchApp(
            configuration: WatchApp.Configuration(targets: [.northKorea], storePath: path), out: { _ in },
            err: { _ in })
        do {
            _ = try await app.run()
            Issue.record("the app ran without a store")
        } catch let failure as WatchApp.Failure {
            #expect(failure.description.contains(path), "\(failure)")
            #expect(!failure.description.contains("\n"))
        }
    }
}
