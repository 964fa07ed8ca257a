import BGP
import Foundation
import RISLive
import Testing
import Vigil
import VigilStore
import VigilTesting

/// `vigil watch` killed with SIGKILL in the middle of an outage, then restarted on the same store, ends
/// with the same events as a run that was never interrupted.
@Suite(.enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"), .serialized)
struct CrashRecoveryTests {
    struct Outcome: Equatable, CustomStringConvertible {
        var cause: String
        var prefixes: [String]
        var upstreams: [UInt32]
        var start: Double
        var end: Double?
        var description: String { "\(cause) \(prefixes) \(upstreams) \(start)-\(String(describing: end))" }
    }

    /// Starts `vigil watch` on `store` against `url`, output to a log file.
    static func startWatch(
        store: String, url: String, truth: LabRecordings.GroundTruth, log: String, extra: [String] = []
    ) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Tools.vigil())
        let rib = truth.mrt.filter { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("rib") }
        p.arguments =
            [
                "watch", "--store", store, "--ris-live", url, "--full-feed", "\(truth.population / 2)",
                "--time-scale", "\(truth.speed)", "--json", "--port", "0", "--no-probes",
            ] + rib.flatMap { ["--rib", $0] } + extra
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        return p
    }

    /// Runs the scenario's stream through `vigil watch`; with `crash`, kills it with SIGKILL once the
    /// outage is open in the store and starts it again.
    static func run(_ truth: LabRecordings.GroundTruth, crash: Bool) async throws -> [Outcome] {
        let ribs = truth.mrt.filter { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("rib") }
        let updates = truth.mrt.filter { !ribs.contains($0) }
        let frames = try RISLiveFrames.fromMRT(
            updates, host: URL(fileURLWithPath: ribs[0]).deletingLastPathComponent().lastPathComponent)
        // At least once after a reconnect: the last 400 frames of the lost connection are sent again.
        let server = FakeRISLiveServer(frames: frames, overlap: 400, pacing: .milliseconds(40))
        let serverTask = try await Live.start(server)
        defer { serverTask.cancel() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = dir.appendingPathComponent("history.sqlite").path
        let log = dir.appendingPathComponent("watch.log").path
        if crash {
            // The frames after the fault's second half wait until the watch has been killed and started
            // again: under load the watch may read the stream late, and the kill must fall mid-stream.
            let times = frames.map { f -> Double in
                guard case .message(let m)? = try? RISFrame(parsing: f.text) else { return 0 }
                return m.timestamp
            }
            let end = times.max() ?? truth.faultAt
            let holdAt = times.firstIndex { $0 >= truth.faultAt + (end - truth.faultAt) / 2 } ?? frames.count - 1
            server.hold(atPosition: holdAt)
        }
        var watch = try startWatch(store: store, url: server.url, truth: truth, log: log)
        if crash {
            let opened = try await Live.wait(seconds: 180) {
                guard FileManager.default.fileExists(atPath: store), let s = try? History(path: store) else {
                    return false
                }
                return ((try? s.events(open: true)) ?? []).contains { $0.cause != .feedProblem }
            }
            try #require(opened, "no event opened; log: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            kill(watch.processIdentifier, SIGKILL)
            watch.waitUntilExit()
            #expect(watch.terminationReason == .uncaughtSignal)
            #expect(server.remaining > 0, "the stream ended before the kill: the test proves nothing")
            watch = try startWatch(store: store, url: server.url, truth: truth, log: log)
            server.release()
        }
        let drained = try await Live.wait(seconds: 180) { server.remaining == 0 }
        try #require(drained, "\(server.remaining) frames never sent")
        // Frames in flight, then the one-second clock that finalizes events.
        try await Task.sleep(for: .seconds(3))
        watch.terminate()
        watch.waitUntilExit()
        #expect(watch.terminationStatus == 0, "log: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        return try History(path: store).events().reversed().map {
            Outcome(
                cause: $0.cause.rawValue, prefixes: $0.prefixes.map(\.description), upstreams: $0.upstreams.sorted(),
                start: $0.start, end: $0.end)
        }
    }

    @Test(arguments: ["upstream-cut-ttk", "origin-down"])
    func killedAndRestartedEqualsUninterrupted(scenario: String) async throws {
        let truth = try LabRecordings.truth(scenario)
        let uninterrupted = try await Self.run(truth, crash: false)
        let crashed = try await Self.run(truth, crash: true)
        #expect(uninterrupted.count == 1)
        #expect(uninterrupted.first?.cause == truth.cause)
        #expect(crashed == uninterrupted)
    }
}
