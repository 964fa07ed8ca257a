import BGP
import Foundation
import Testing
import Vigil
import VigilStore
import VigilTesting

/// `vigil watch` with several targets, as a user runs it: one process, one RIS Live connection (the
/// union of the targets' subscriptions), one store and one dashboard for all of them.
@Suite(.enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"))
struct WatchManyTargetsCommandTests {
    @Test(
        "watch --target three times over the lab's upstream cut: the twin targets each get the ground truth's event, the transit nothing; one subscription set; the store, events and status name every target"
    )
    func threeTargets() async throws {
        let truth = try LabRecordings.truth("upstream-cut-ttk")
        let ribs = truth.mrt.filter { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("rib") }
        let updates = truth.mrt.filter { !ribs.contains($0) }
        let frames = try RISLiveFrames.fromMRT(
            updates, host: URL(fileURLWithPath: ribs[0]).deletingLastPathComponent().lastPathComponent)
        let server = FakeRISLiveServer(frames: frames, pacing: .milliseconds(5))
        let serverTask = try await Live.start(server)
        defer { serverTask.cancel() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-many-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = dir.appendingPathComponent("history.sqlite").path
        let log = dir.appendingPathComponent("watch.log").path
        // North Korea's twin (the same space and ASes under another name) and a transit's own prefix, which
        // every lab peer carries and no update of the scenario touches (bgpdump: no update line for it).
        let targetsFile = dir.appendingPathComponent("targets.toml").path
        try """
        [target.nk-twin]
        origins = [131279]
        upstreams = [4837, 20485]
        prefixes = ["175.45.176.0/22", "175.45.176.0/24", "175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24"]

        [target.transit]
        origins = [1299]
        prefixes = ["62.115.0.0/16"]
        """.write(toFile: targetsFile, atomically: true, encoding: .utf8)
        let watch = Process()
        watch.executableURL = URL(fileURLWithPath: try Tools.vigil())
        watch.arguments =
            [
                "watch", "--store", store, "--ris-live", server.url, "--full-feed", "\(truth.population / 2)",
                "--time-scale", "\(truth.speed)", "--port", "0", "--no-probes", "--targets", targetsFile,
                "--target", "north-korea", "--target", "nk-twin", "--target", "transit",
            ] + ribs.flatMap { ["--rib", $0] }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        watch.standardOutput = handle
        watch.standardError = handle
        try watch.run()
        func logText() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        let drained = try await Live.wait(seconds: 180) { server.remaining == 0 }
        try #require(drained, "\(server.remaining) frames never sent; log: \(logText())")
        // Frames in flight, then the one-second clock that finalizes events.
        try await Task.sleep(for: .seconds(3))
        watch.terminate()
        watch.waitUntilExit()
        let text = logText()
        #expect(watch.terminationStatus == 0, "log: \(text)")
        #expect(text.contains("watching 3 targets (north-korea, nk-twin, transit"), "\(text)")

        // One set of subscriptions per connection (the fake server ends a connection once its frames are
        // sent, and the client comes back): the twins' prefixes once, each AS once.
        // (A connection opened as the watch was stopped may have subscribed to nothing yet.)
        let sets = server.subscriptions.filter { !$0.isEmpty }
        #expect(!sets.isEmpty)
        for subscribed in sets {
            #expect(subscribed.filter { $0.contains("175.45.176.0/22") }.count == 1, "\(subscribed)")
            #expect(subscribed.filter { $0.contains("62.115.0.0/16") }.count == 1, "\(subscribed)")
            #expect(subscribed.filter { $0.contains("131279$") }.count == 1, "\(subscribed)")
        }

        let history = try History(path: store)
        let events = try history.events().filter { $0.cause != .feedProblem }
        let summary = events.map { "\($0.target) \($0.cause.rawValue) \($0.prefixes) \($0.upstreams)" }
        for name in ["north-korea", "nk-twin"] {
            let mine = events.filter { $0.target == name }
            try #require(mine.count == 1, "\(name): \(summary); log: \(text)")
            let problems = LabRecordings.mismatches(
                truth, cause: mine[0].cause.rawValue, prefixes: mine[0].prefixes.map(\.description),
                upstreams: mine[0].upstreams, start: mine[0].start, end: mine[0].end)
            #expect(problems.isEmpty, "\(name): \(problems)")
        }
        #expect(!events.contains { $0.target == "transit" }, "\(summary)")
        // Each event line names its target (the console's text, as the user reads it).
        #expect(text.contains("EVENT OPEN"), "\(text)")
        #expect(try history.targets().map(\.name).sorted() == ["nk-twin", "north-korea", "transit"])
        for name in ["north-korea", "nk-twin", "transit"] {
            #expect(
                try !history.signalBins(target: name, from: 0, to: 4e9, visibility: true).isEmpty, "\(name) has no bins"
            )
        }

        // `vigil events` lists both twins' events; `vigil status` every target.
        let listed = try await Tools.run(try Tools.vigil(), ["events", "--store", store])
        let listing = String(decoding: listed.stdout, as: UTF8.self)
        #expect(listing.contains("north-korea") && listing.contains("nk-twin"), "\(listing)")
        let status = try await Tools.run(try Tools.vigil(), ["status", "--store", store])
        let said = String(decoding: status.stdout, as: UTF8.self)
        for name in ["north-korea", "nk-twin", "transit"] { #expect(said.contains(name), "\(said)") }
    }
}
