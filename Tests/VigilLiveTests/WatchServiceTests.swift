import BGP
import Foundation
import RISLive
import Testing
import Vigil
import VigilClock
import VigilStore
import VigilTesting

@testable import VigilLive

/// The watch service (RIS Live into the engine, the clock, feed gaps) against the fake server.
@Suite struct WatchServiceTests {
    @Test("a dropped RIS Live connection is one feed gap in the store, closed when the client is back (manual clock)")
    func droppedConnectionIsAFeedGap() async throws {
        let frames = Array(
            try RISLiveFrames.fromMRT([Fixtures.path("mrt/bgpdump__updates.20160811.1600.gz")]).prefix(300))
        let server = FakeRISLiveServer(frames: frames) { n in n == 1 ? .sendThenClose(100) : .send(nil) }
        let serverTask = try await Live.start(server)
        defer { serverTask.cancel() }
        let store = try Live.temporaryStore()
        let engine = LiveEngine(target: .northKorea, store: store)
        let clock = ManualClock(seconds: Date().timeIntervalSince1970)
        _ = try engine.resume(now: clock.seconds)
        engine.settleVotes()
        var options = WatchService.Options()
        options.risLive = Live.configuration(server.url, subscriptions: [RISSubscription(type: nil)])
        options.tickInterval = 0.2
        options.clock = clock
        let service = WatchService(engine: engine, options: options, logger: Live.logger)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        func drained() -> Bool {
            server.remaining == 0 && engine.counters.risMessages == server.framesSent
                && ((try? store.feedGaps().first?.end) ?? nil) != nil
        }
        // The clock moves (ticks, the reconnection's back-off) only while every frame sent has been read:
        // the client's stall watchdog then never sees a silence that is only this machine being slow.
        var steps = 0
        while !drained() && steps < 300 {
            let caughtUp = try await Live.wait(seconds: 20, every: .milliseconds(1)) {
                clock.sleepers > 0 && engine.counters.risMessages == server.framesSent
            }
            try #require(caughtUp, "\(engine.counters.risMessages) of \(server.framesSent) frames read")
            clock.advance(by: .seconds(0.2))
            steps += 1
            _ = try await Live.wait(seconds: 0.05) { drained() }
        }
        #expect(drained(), "\(steps) steps")
        let gaps = try store.feedGaps()
        #expect(gaps.count == 1)
        #expect(gaps.first?.source == "ris-live")
        #expect(gaps.first?.reason.contains("closed") == true, "\(gaps)")
        let gap = try #require(gaps.first)
        #expect((gap.end ?? 0) >= gap.start)
        // Nothing in the target's space was announced, and the gap withdrew nothing: no event.
        #expect(try store.events().isEmpty)
    }

    @Test("a silent RIS beacon raises a feed-health alarm, and its return clears it (manual clock)")
    func canary() async throws {
        func frame(_ prefix: String, _ t: Double) -> RISTestFrame {
            RISTestFrame(
                text:
                    #"{"type":"ris_message","data":{"timestamp":\#(t),"peer":"192.0.2.1","peer_asn":"64500","host":"rrc00","type":"UPDATE","path":[64500,12654],"announcements":[{"next_hop":"192.0.2.1","prefixes":["\#(prefix)"]}]}}"#,
                prefixes: [IPPrefix(prefix)].compactMap { $0 }, origin: 12654)
        }
        let frames =
            [frame("198.51.100.0/24", 1), frame("198.51.100.0/24", 2), frame("198.51.100.0/24", 3)]
            + [frame("84.205.64.0/24", 4)]
        let server = FakeRISLiveServer(frames: frames)
        server.hold()  // nothing until the canary has been silent long enough
        let serverTask = try await Live.start(server)
        defer { serverTask.cancel() }
        var config = Live.configuration(server.url, subscriptions: [RISSubscription(type: nil)])
        config.canaryPrefix = "84.205.64.0/24"
        config.canarySilence = 0.6
        config.stallTimeout = 3
        let clock = ManualClock(seconds: 1_749_200_000)
        let collected = Collected()
        let client = RISLiveClient(configuration: config, logger: Live.logger, clock: clock)
        let task = Task { await client.run { collected.append($0) } }
        defer { task.cancel() }
        func canary() -> [Bool] {
            collected.value.compactMap { e -> Bool? in
                if case .canary(let silent, _) = e { return silent }
                return nil
            }
        }
        // Two watchdog ticks (0.3 s each): silent 0.6 s, not more than the limit; the third, 0.9 s: the alarm.
        for tick in 1...3 {
            #expect(try await Live.wait(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
            clock.advance(by: .seconds(config.pingInterval))
            if tick < 3 {
                try await Task.sleep(for: .milliseconds(50))
                #expect(canary().isEmpty, "alarm after \(tick) ticks: \(canary())")
            }
        }
        #expect(try await Live.wait(seconds: 20) { canary() == [true] }, "\(canary())")
        // The beacon's frame comes: heard again, the alarm clears.
        server.release()
        let done = try await Live.wait(seconds: 20) { collected.messages.count == 4 && canary().count == 2 }
        #expect(done)
        #expect(canary() == [true, false], "\(canary())")
        #expect(server.subscriptions.first?.contains { $0.contains("84.205.64.0/24") } == true)
    }
}
