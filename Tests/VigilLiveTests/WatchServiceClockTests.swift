import Foundation
import Testing
import Vigil
import VigilClock
import VigilLive
import VigilStore
import VigilTesting

/// The watch's clock loop on a `ManualClock`: ticks, the heartbeat every five seconds, the health report
/// beside the store and the hourly pruning happen at the clock's times, with no real waiting (an hour of
/// the watch's time passes in one step), and the same way on a loaded machine as on an idle one.
@Suite struct WatchServiceClockTests {
    /// Waits until the service's loop sleeps on `clock` again. The bound is generous: beside the CPU-bound
    /// suites of its group, the service's task may wait its turn on the cooperative pool for a minute (CI).
    static func asleep(_ clock: ManualClock) async throws {
        let slept = try await Waiting.until(seconds: 120, every: .milliseconds(1)) { clock.sleepers > 0 }
        try #require(slept, "the clock loop never went back to sleep")
    }

    @Test("heartbeat every 5 s of the clock, health report at each beat, pruning hourly: at the clock's times")
    func clockLoopOnManualTime() async throws {
        let t0 = 1_749_200_000.0
        let clock = ManualClock(seconds: t0)
        let store = try Live.temporaryStore()
        let engine = LiveEngine(target: .northKorea, store: store, clock: { clock.seconds })
        let health = StoreHealthFile(storePath: store.path)
        try health.create()
        var options = WatchService.Options()
        options.clock = clock
        options.retentionDays = 1
        options.healthFile = health
        let service = WatchService(engine: engine, options: options, logger: Live.logger)

        func bin(_ start: Double) -> SignalBin {
            SignalBin(
                target: "north-korea", start: start, seconds: 60, prefixesUp: 1, prefixes: 1, votingPeers: 1,
                updates: 0, visibility: [:], upstreamShare: [:])
        }
        // Two days old by the clock: the first tick's pruning (retention one day) removes it.
        try store.save(signals: bin(t0 - 2 * 86400))
        try store.save(signals: bin(t0 - 60))

        let running = Task { try await service.run() }
        defer { running.cancel() }
        func heartbeat() -> Double? { (try? store.setting("heartbeat")).flatMap { $0.flatMap(Double.init) } }
        func bins() -> [Double] {
            ((try? store.signalBins(target: "north-korea", from: 0, to: 4e9, visibility: true)) ?? []).map(\.start)
        }

        try await Self.asleep(clock)
        clock.advance(by: .seconds(1))
        // First tick at t0 + 1: the heartbeat, the report beside the store and the pruning.
        #expect(
            try await Waiting.until(seconds: 120) { heartbeat() == t0 + 1 },
            "heartbeat \(String(describing: heartbeat()))")
        #expect(try await Waiting.until(seconds: 120) { bins() == [t0 - 60] }, "bins \(bins())")
        #expect(health.read()?.time == t0 + 1)

        // Four more ticks: no beat until five seconds after the last.
        for _ in 0..<4 {
            try await Self.asleep(clock)
            clock.advance(by: .seconds(1))
        }
        try await Self.asleep(clock)
        engine.commitPending()
        #expect(heartbeat() == t0 + 1, "a beat before five seconds: \(String(describing: heartbeat()))")
        clock.advance(by: .seconds(1))
        #expect(
            try await Waiting.until(seconds: 120) { heartbeat() == t0 + 6 },
            "heartbeat \(String(describing: heartbeat()))")
        #expect(health.read()?.time == t0 + 6)

        // An hour of the clock in one step: the next tick prunes again (a bin that grew two days old by then).
        try store.save(signals: bin(t0 + 3606 - 2 * 86400))
        try await Self.asleep(clock)
        clock.advance(by: .seconds(3600))
        #expect(
            try await Waiting.until(seconds: 120) { heartbeat() == t0 + 3606 },
            "heartbeat \(String(describing: heartbeat()))")
        #expect(try await Waiting.until(seconds: 120) { !bins().contains(t0 + 3606 - 2 * 86400) }, "bins \(bins())")

        running.cancel()
        _ = await running.result
        #expect((try store.setting("stopped")).flatMap(Double.init) == t0 + 3606, "the stop is stamped by the clock")
    }
}
