import BGP
import BMP
import Foundation
import Synchronization
import Testing
import Vigil
import VigilClock
import VigilStore
import VigilTesting

@testable import VigilLive

/// The routing lab's collector (FRR) exported BMP during every scenario; the lab's station kept the
/// stream and when each piece arrived. Here it is sent again to Vigil's BMP listener over TCP, piece by
/// piece, on the recording's own clock: the listener's clock reads each piece's recorded arrival time, and
/// the next piece is sent once the listener has decoded the last one, so the listener stamps every
/// message as it stamped it live, without waiting the recording's hours (and without a loaded machine's
/// delays moving a message into another second). The first target event must carry the ground truth's
/// cause, prefixes and upstreams and start within 5 s of the fault; the feed-loss scenario must raise only
/// feed health.
@Suite(.enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"))
struct LiveBMPLabTests {
    /// The engine's BMP feed, telling the test how far the listener has read.
    final class Counting: BMPSink {
        let feed: BMPFeed
        let read = Mutex<UInt64>(0)
        init(feed: BMPFeed) { self.feed = feed }
        func routerConnected(_ router: BMPRouter) { feed.routerConnected(router) }
        func elements(_ elements: [RouteElement], router: BMPRouter) { feed.elements(elements, router: router) }
        func problem(_ error: BMPDecodingError, router: BMPRouter) { feed.problem(error, router: router) }
        func routerDisconnected(_ router: BMPRouter, diagnostics: BMPDiagnostics, truncated: BMPDecodingError?) {
            feed.routerDisconnected(router, diagnostics: diagnostics, truncated: truncated)
        }
        func consumed(_ router: BMPRouter, total: UInt64) { read.withLock { $0 = total } }
    }

    /// The stream's pieces: (offset, arrival time), from bmp.times.
    static func pieces(_ folder: URL) throws -> [(offset: Int, time: Double)] {
        let text = try String(contentsOf: folder.appendingPathComponent("bmp.times"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count == 2, let o = Int(f[0]), let t = Double(f[1]) else { return nil }
            return (o, t)
        }
    }

    /// Runs the scenario's BMP stream through the listener on the recording's clock; returns the events.
    static func watch(_ truth: LabRecordings.GroundTruth) async throws -> [DetectedEvent] {
        let folder = URL(fileURLWithPath: try #require(truth.mrt.first)).deletingLastPathComponent()
        let stream = try [UInt8](Data(contentsOf: folder.appendingPathComponent("bmp.bin")))
        let pieces = try Self.pieces(folder)
        try #require(!pieces.isEmpty, "no bmp.times beside bmp.bin: run the lab again (lab/run test)")
        var target = Target.northKorea
        target.thresholds.fullFeedIPv4 = truth.population / 2
        let store = try Live.temporaryStore()
        let engine = LiveEngine(
            target: target, store: store, binSeconds: 60, thresholds: target.thresholds.scaled(by: truth.speed))
        _ = try engine.resume(now: pieces[0].time)
        engine.settleVotes()
        let feed = Locked<[String]>()
        let port = Mutex(0)
        let clock = Mutex(pieces[0].time)
        let now: @Sendable () -> Double = { clock.withLock { $0 } }
        let listener = BMPListener(host: "127.0.0.1", port: 0, clock: now)
        let sink = Counting(feed: BMPFeed(engine: engine, logger: Live.logger, onFeed: { feed.append($0) }, now: now))
        let task = Task { try await listener.run(sink: sink) { p in port.withLock { $0 = p } } }
        defer { task.cancel() }
        let bound = try await Live.wait(seconds: 60) { port.withLock { $0 } != 0 }
        try #require(bound, "the BMP listener did not start")
        let connection = try LoopbackSocket.Connection(port: port.withLock { $0 })
        for (i, piece) in pieces.enumerated() {
            clock.withLock { $0 = piece.time }
            let end = i + 1 < pieces.count ? pieces[i + 1].offset : stream.count
            try connection.send(Array(stream[piece.offset..<end]))
            let decoded = try await Live.wait(seconds: 60, every: .milliseconds(1)) {
                sink.read.withLock { $0 } >= UInt64(end)
            }
            try #require(decoded, "the listener stopped at byte \(sink.read.withLock { $0 }) of \(end)")
        }
        connection.close()
        let done = try await Live.wait(seconds: 60) { feed.value.contains { $0.contains("disconnected") } }
        try #require(done, "the router's stream was not read to its end: \(feed.value)")
        #expect(!feed.value.contains { $0.contains("skipped") }, "\(feed.value)")
        try engine.shutdown(now: now())
        return try store.events().reversed()
    }

    // The scenarios run at once: each stream is stamped by its own clock, so a busy machine no longer
    // moves a message's time (paced live, eight streams at once starved the listener for seconds).
    @Test(arguments: LabRecordings.scenarios.filter { $0 != "collector-feed-loss" })
    func bmpEventOpensWithTheGroundTruth(scenario: String) async throws {
        let truth = try LabRecordings.truth(scenario)
        let events = try await Self.watch(truth)
        let summary = events.map { "\($0.cause.rawValue) \($0.prefixes) \($0.upstreams) \(UTCTime.iso($0.start))" }
        // The stream's end is the router going away: a feed problem after it is right, not a target event.
        let target = events.filter { $0.cause != .feedProblem }
        try #require(target.count == 1, "expected one target event, got \(summary)")
        let e = target[0]
        // Only the start: the stream ends with the router, before any repair would show.
        let problems = LabRecordings.mismatches(
            truth, cause: e.cause.rawValue, prefixes: e.prefixes.map(\.description), upstreams: e.upstreams,
            start: e.start, end: nil, checksEnd: false)
        #expect(problems.isEmpty, "\(problems); all: \(summary); evidence: \(e.evidence)")
    }

    @Test func feedLossIsOnlyFeedHealth() async throws {
        let events = try await Self.watch(try LabRecordings.truth("collector-feed-loss"))
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { $0.cause == .feedProblem }, "\(events.map(\.cause))")
    }
}
