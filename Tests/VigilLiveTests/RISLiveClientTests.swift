import BGP
import Foundation
import RISLive
import Testing
import VigilClock
import VigilTesting

/// The RIS Live client against a real websocket server on loopback that misbehaves on purpose.
@Suite struct RISLiveClientTests {
    /// A big real stream: the RIS update file in `data/real/mrt/` as RIS Live frames.
    static func realFrames() throws -> [RISTestFrame] {
        try RISLiveFrames.fromMRT([Fixtures.path("mrt/bgpdump__updates.20160811.1600.gz")])
    }

    @Test(
        "survives malformed JSON, a server error, a dropped connection, a stall and a flood; every frame arrives (manual clock)"
    )
    func survivesFaults() async throws {
        let frames = try Self.realFrames()
        #expect(frames.count > 10_000)
        let malformed = #"{"type":"ris_message","data":{"timestamp":1,"peer":"#
        let server = FakeRISLiveServer(frames: frames) { n in
            switch n {
            case 1:
                return .raw(
                    [malformed, #"{"type":"ris_error","data":{"message":"test error"}}"#], then: .sendThenClose(500))
            case 2: return .sendThenStall(700)
            default: return .send(nil)  // the rest as fast as the socket takes it
            }
        }
        let serverTask = try await Live.start(server)
        defer { serverTask.cancel() }
        let collected = Collected()
        // The client's timers (pings, the stall watchdog, the back-off) run on a manual clock, moved below
        // only once the frames sent so far have arrived: however slow the machine, a stall is the server's.
        let clock = ManualClock(seconds: 1_749_200_000)
        let config = Live.configuration(server.url, subscriptions: [RISSubscription(type: nil)])
        let client = RISLiveClient(configuration: config, logger: Live.logger, clock: clock)
        let clientTask = Task { await client.run { collected.append($0) } }
        defer { clientTask.cancel() }
        func connects() -> Int {
            collected.value.filter { if case .connected = $0 { return true } else { return false } }.count
        }
        func drops() -> [String] {
            collected.value.compactMap {
                if case .disconnected(let reason, _) = $0 { return reason } else { return nil }
            }
        }
        // The first connection: the malformed frame, the error, 500 frames, then the server closes.
        #expect(try await Live.wait(seconds: 60) { collected.messages.count == 500 && drops().count == 1 })
        // Past the back-off (at most the configured maximum, 0.2 s): the second, 700 frames, then silence.
        #expect(try await Live.wait(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
        clock.advance(by: .seconds(config.backoffMaximum))
        #expect(try await Live.wait(seconds: 60) { collected.messages.count == 1200 && connects() == 2 })
        // Silence, one watchdog tick (0.3 s, the ping interval) at a time: a stall once past 1.2 s.
        var ticks = 0
        while drops().count < 2 && ticks < 10 {
            #expect(try await Live.wait(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
            clock.advance(by: .seconds(config.pingInterval))
            ticks += 1
            _ = try await Live.wait(seconds: 1) { drops().count == 2 }
        }
        #expect(drops().count == 2 && (4...6).contains(ticks), "\(ticks) ticks: \(drops())")
        #expect(drops().last?.contains("stalled") == true, "\(drops())")
        // Past the back-off again: the third connection brings the rest as fast as the socket takes it.
        #expect(try await Live.wait(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
        clock.advance(by: .seconds(config.backoffMaximum))
        let arrived = try await Live.wait(seconds: 60) { collected.messages.count >= frames.count }
        #expect(arrived, "\(collected.messages.count) of \(frames.count) frames arrived")
        let events = collected.value
        #expect(connects() == 3, "\(drops())")
        #expect(drops().count == 2, "\(drops())")
        let bad = events.compactMap { e -> Int? in
            if case .malformed(let frame, _) = e { return frame }
            return nil
        }
        // One malformed frame, the first the server sent: no ping went out before it (the clock stood still).
        #expect(bad == [1])
        #expect(events.contains { if case .serverError("test error") = $0 { return true } else { return false } })
        // Every frame, once and in order, equal to the frame parsed on its own.
        let got = collected.messages
        #expect(got.count == frames.count)
        for (i, f) in frames.enumerated() where i < got.count && i % 997 == 0 {
            guard case .message(let m) = try RISFrame(parsing: f.text) else { continue }
            #expect(got[i] == m)
        }
        #expect(server.subscriptions.count == 3)
        #expect(server.subscriptions.allSatisfy { $0.count == 2 })  // everything + RIS_PEER_STATE
        // One tick more: the client pings the live server, which answers.
        #expect(try await Live.wait(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
        clock.advance(by: .seconds(config.pingInterval))
        #expect(try await Live.wait(seconds: 20) { server.pings > 0 })
        #expect(drops().count == 2, "\(drops())")
    }

    @Test("a handler slower than the stall timeout is not a stalled server: one connection, every frame (manual clock)")
    func slowHandlerIsNotAStall() async throws {
        let frames = Array(try Self.realFrames().prefix(40))
        let server = FakeRISLiveServer(frames: frames)
        let serverTask = try await Live.start(server)
        defer { serverTask.cancel() }
        let collected = Collected()
        // The handler holds the tenth message while the clock moves 6 s, over twice the 2.5 s stall
        // timeout, and the server has sent everything into the socket: silence while the client is busy is
        // not the server's.
        let clock = ManualClock(seconds: 1_749_200_000)
        var config = Live.configuration(server.url, subscriptions: [RISSubscription(type: nil)])
        config.stallTimeout = 2.5
        let busy = Locked(true)
        let client = RISLiveClient(configuration: config, logger: Live.logger, clock: clock)
        let clientTask = Task {
            await client.run { e in
                collected.append(e)
                guard case .message = e, collected.messages.count == 10 else { return }
                while busy.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
            }
        }
        defer { clientTask.cancel() }
        #expect(
            try await Live.wait(seconds: 20) {
                collected.messages.count == 10 && server.framesSent == frames.count && clock.sleepers > 0
            })
        for _ in 0..<20 {
            #expect(try await Live.wait(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
            clock.advance(by: .seconds(config.pingInterval))
        }
        busy.withLock { $0 = false }
        let arrived = try await Live.wait(seconds: 20) { collected.messages.count >= frames.count }
        #expect(arrived, "\(collected.messages.count) of \(frames.count) frames arrived")
        let drops = collected.value.compactMap { e -> String? in
            if case .disconnected(let reason, _) = e { return reason }
            return nil
        }
        #expect(drops.isEmpty, "\(drops)")
        #expect(server.subscriptions.count == 1)
    }

    @Test("on a manual clock: a silent server trips the stall watchdog and the canary at the clock's times")
    func stallAndCanaryOnManualClock() async throws {
        // Connected, then silent: no frame, no pong (a server that answers pings is alive, however quiet).
        let server = FakeRISLiveServer(frames: []) { _ in .sendThenStall(0) }
        let serverTask = try await Live.start(server)
        defer { serverTask.cancel() }
        let clock = ManualClock(seconds: 1_749_200_000)
        var config = Live.configuration(server.url, subscriptions: [RISSubscription(type: nil)])
        config.pingInterval = 10
        config.stallTimeout = 30
        config.canaryPrefix = "84.205.64.0/24"
        config.canarySilence = 25
        config.backoffInitial = 5
        config.backoffMaximum = 5
        let collected = Collected()
        let client = RISLiveClient(configuration: config, logger: Live.logger, clock: clock)
        let clientTask = Task { await client.run { collected.append($0) } }
        defer { clientTask.cancel() }
        func connected() -> Int {
            collected.value.filter { if case .connected = $0 { return true } else { return false } }.count
        }
        func drops() -> [String] {
            collected.value.compactMap {
                if case .disconnected(let reason, _) = $0 { return reason } else { return nil }
            }
        }
        func canaries() -> [Bool] {
            collected.value.compactMap { if case .canary(let silent, _) = $0 { return silent } else { return nil } }
        }
        #expect(try await Live.wait(seconds: 20) { connected() == 1 && clock.sleepers > 0 })
        // The server goes silent 50 ms (its own, real time) after the subscriptions arrive; until then it
        // would answer a ping.
        try await Task.sleep(for: .milliseconds(300))
        // Ten seconds of the clock at a time (the watchdog's tick): silent 10, 20, 30 s is not yet a stall.
        for _ in 0..<3 {
            clock.advance(by: .seconds(10))
            #expect(try await Live.wait(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
        }
        #expect(drops().isEmpty, "stalled before the timeout: \(drops())")
        #expect(canaries() == [true], "the canary, silent for 30 s of the clock's 25: \(canaries())")
        // Silent 40 s: stalled, reported, and the reconnection waits its back-off on the same clock.
        clock.advance(by: .seconds(10))
        #expect(try await Live.wait(seconds: 20) { drops().count == 1 }, "\(collected.value)")
        #expect(drops().first?.contains("stalled") == true, "\(drops())")
        #expect(connected() == 1, "reconnected before the back-off")
        #expect(try await Live.wait(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
        clock.advance(by: .seconds(8))  // past the back-off, 2.5 to 7.5 s
        #expect(try await Live.wait(seconds: 20) { connected() == 2 }, "\(collected.value)")
    }

    @Test("a server that refuses connections is retried with back-off, each failure reported")
    func refusedIsRetried() async throws {
        // A port nothing listens on: bind one, note it, close it.
        let server = FakeRISLiveServer(frames: [])
        let task = try await Live.start(server)
        let port = server.port
        task.cancel()
        try await Task.sleep(for: .milliseconds(200))
        let collected = Collected()
        let config = Live.configuration("ws://127.0.0.1:\(port)/v1/ws/", subscriptions: [])
        let client = RISLiveClient(configuration: config, logger: Live.logger, clock: SystemClock())
        let clientTask = Task { await client.run { collected.append($0) } }
        _ = try await Live.wait(seconds: 5) { collected.value.count >= 3 }
        clientTask.cancel()
        let delays = collected.value.compactMap { e -> Double? in
            if case .disconnected(_, let retry) = e { return retry }
            return nil
        }
        #expect(delays.count >= 3)
        // Jittered ±50% around 0.1, 0.2 (the ceiling), 0.2...
        #expect(delays.allSatisfy { $0 >= 0.05 && $0 <= 0.3 }, "\(delays)")
    }
}
