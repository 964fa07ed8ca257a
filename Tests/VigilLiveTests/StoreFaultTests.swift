import BGP
import Foundation
import Testing
import Vigil
import VigilStore
import VigilTesting

/// `vigil watch` whose store stops taking writes in the middle of a lab outage, for real: the store on a
/// small tmpfs filled to the last byte, or the database held locked by another process (Python's sqlite3
/// in `BEGIN EXCLUSIVE`). The events are printed at once, `/healthz`, `vigil status` and the console say
/// the store fails, the watch keeps running, and once the space or the lock is back the store holds the
/// same events, with their true start, as a run on a healthy store (`CrashRecoveryTests.run`).
@Suite(
    .enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"),
    .enabled(if: getuid() == 0, "needs root to mount a tmpfs"),
    .serialized)
struct StoreFaultTests {
    enum Fault: Sendable, CaseIterable { case diskFull, locked }

    /// Fills the file system holding `path` with zeros until it refuses more; returns the bytes written.
    static func fill(_ path: String) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            total += n
        }
        fsync(fd)
        return total
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Runs the scenario's stream through `vigil watch` while `fault` holds from start-up until the stream
    /// has been sent (the outage opened and closed meanwhile), then lifts it.
    /// With `stopWhileFailing`, the watch is sent SIGTERM while the store still fails instead: it must exit
    /// non-zero saying what it could not write (and nothing is compared).
    static func run(_ truth: LabRecordings.GroundTruth, fault: Fault, stopWhileFailing: Bool = false) async throws
        -> [CrashRecoveryTests.Outcome]
    {
        let ribs = truth.mrt.filter { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("rib") }
        let updates = truth.mrt.filter { !ribs.contains($0) }
        let frames = try RISLiveFrames.fromMRT(
            updates, host: URL(fileURLWithPath: ribs[0]).deletingLastPathComponent().lastPathComponent)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-fault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let place = dir.appendingPathComponent("store").path
        try FileManager.default.createDirectory(atPath: place, withIntermediateDirectories: true)
        if fault == .diskFull {
            let r = try await Tools.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", place])
            try #require(r.status == 0, "mount: \(String(decoding: r.stderr, as: UTF8.self))")
        }
        defer { if fault == .diskFull { _ = try? Tools.run("/usr/bin/umount", ["-l", place]) } }
        let store = place + "/history.sqlite"
        let filler = place + "/filler"
        let log = dir.appendingPathComponent("watch.log").path

        // The stream waits for the fault: frames start once the test has staged it.
        let server = FakeRISLiveServer(frames: frames, overlap: 0, pacing: .milliseconds(40))
        server.hold()
        let serverTask = try await Live.start(server)
        defer { serverTask.cancel() }
        // A webhook receiver: alerts must not wait for the store. With a lock held elsewhere the watch's
        // store calls each wait SQLite's five-second busy timeout: on their own threads (the engine's
        // commits, the dispatcher), so the server still answers `/healthz` on a loaded machine.
        let hookPort = try LoopbackSocket.freePort()
        let inbox = WebhookReceiver.Inbox()
        let receiver = Task { try await WebhookReceiver.application(port: hookPort, inbox: inbox).runService() }
        defer { receiver.cancel() }
        let watch = try CrashRecoveryTests.startWatch(
            store: store, url: server.url, truth: truth, log: log,
            extra: ["--webhook", "http://127.0.0.1:\(hookPort)/hook/json"])
        defer { if watch.isRunning { watch.terminate() } }
        let started = try await Live.wait(seconds: 60) { read(log).contains("dashboard on http://") }
        try #require(started, "watch did not start: \(read(log))")
        let port = try #require(
            read(log).split(separator: "\n").first { $0.contains("dashboard on http://") }
                .flatMap { $0.split(separator: ":").last?.split(separator: "/").first }.flatMap { Int($0) })

        var locker: SQLiteLocker?
        switch fault {
        case .diskFull:
            // A short write-ahead log first (else commits could reuse its old pages and need no new
            // space), not an empty one (SQLite's readers need one that holds a frame).
            _ = try await Tools.sqlite(
                store,
                "PRAGMA wal_checkpoint(TRUNCATE); INSERT OR REPLACE INTO settings (key, value) VALUES ('fault-test', '1');"
            )
            #expect(fill(filler) > 0)
        case .locked:
            // Another process takes the write lock and holds it until released.
            locker = try SQLiteLocker(path: store)
        }
        let before = try History(path: store).events().filter { $0.cause != .feedProblem }
        try #require(before.isEmpty, "an event was stored before the fault: the test proves nothing")

        server.release()
        let drained = try await Live.wait(seconds: 180) { server.remaining == 0 }
        try #require(drained, "\(server.remaining) frames never sent")
        try await Task.sleep(for: .seconds(3))

        // While the store fails: the events were printed, the watch runs and says the store fails. (The
        // event is told before the store is tried; with a lock held elsewhere the failure is known only once
        // SQLite's busy timeout, five seconds, has run out.)
        _ = try await Live.wait(seconds: 30) {
            let text = read(log)
            return text.contains("\"cause\":\"\(truth.cause)\"") && text.contains("the store fails")
        }
        let during = read(log)
        #expect(watch.isRunning, "the watch exited: \(during)")
        #expect(during.contains("the store fails"), "no word of the failing store: \(during)")
        #expect(during.contains("\"cause\":\"\(truth.cause)\""), "the event was not printed: \(during)")
        let health = try await LoopbackSocket.httpGet("/healthz", port: port)
        #expect(health.status == 503)
        #expect(health.body.contains("\"status\":\"failing\"") && health.body.contains(store), "\(health.body)")
        let status = try await Tools.run(try Tools.vigil(), ["status", "--store", store])
        let said = String(decoding: status.stdout, as: UTF8.self)
        #expect(said.contains("store FAILING since") && said.contains("watch running"), "\(said)")
        let asJSON = try await Tools.run(try Tools.vigil(), ["status", "--json", "--store", store]).output
        #expect(asJSON.contains("\"store_failing\":{\"since\":") && asJSON.contains("\"running\":\"yes\""), "\(asJSON)")
        let stored = try History(path: store).events().filter { $0.cause != .feedProblem }
        #expect(stored.isEmpty, "the store took the event although it was failing: the test proves nothing")
        // The webhook was told at once, from the events the store has not taken.
        let alerted = try await Live.wait(seconds: 20) { inbox.kinds("json").contains("event_start") }
        #expect(alerted, "no alert while the store fails: \(inbox.kinds("json")); \(read(log))")

        if stopWhileFailing {
            watch.terminate()
            watch.waitUntilExit()
            let said = read(log)
            #expect(watch.terminationStatus != 0, "\(said)")
            #expect(said.contains("not written: 1 event"), "\(said)")
            locker?.kill()
            return []
        }

        // The space or the lock comes back: everything that waited is written, the watch never stopped.
        switch fault {
        case .diskFull: try FileManager.default.removeItem(atPath: filler)
        case .locked: locker?.release()
        }
        let written = try await Live.wait(seconds: 60) {
            ((try? History(path: store).events()) ?? []).contains { $0.cause.rawValue == truth.cause }
        }
        #expect(written, "the event never reached the store: \(read(log))")
        #expect(read(log).contains("the store works again"))
        #expect(try await LoopbackSocket.httpGet("/healthz", port: port).status == 200)
        // Once the store has the event and the dispatcher has scanned it a few times: still one start (it
        // was logged as told when the store came back, so the store's side does not tell it again).
        try await Task.sleep(for: .seconds(4))
        let kinds = inbox.kinds("json").filter { $0.hasPrefix("event_") }
        #expect(kinds.filter { $0 == "event_start" }.count == 1, "\(kinds)")
        watch.terminate()
        watch.waitUntilExit()
        #expect(watch.terminationStatus == 0, "log: \(read(log))")
        return try History(path: store).events().reversed().map {
            CrashRecoveryTests.Outcome(
                cause: $0.cause.rawValue, prefixes: $0.prefixes.map(\.description), upstreams: $0.upstreams.sorted(),
                start: $0.start, end: $0.end)
        }
    }

    @Test(
        "a store that stops taking writes mid-outage (a full disk, a lock held by another process): nothing lost, the event stored with its true start once it works again",
        arguments: [Fault.diskFull, .locked])
    func faultMidOutage(fault: Fault) async throws {
        let truth = try LabRecordings.truth("origin-down")
        let healthy = try await CrashRecoveryTests.run(truth, crash: false)
        let faulted = try await Self.run(truth, fault: fault)
        #expect(healthy.count == 1 && healthy.first?.cause == truth.cause)
        #expect(faulted == healthy)
    }

    @Test("SIGTERM while the store is full: the watch exits non-zero and says what it could not write")
    func stoppedWhileFailing() async throws {
        _ = try await Self.run(try LabRecordings.truth("origin-down"), fault: .diskFull, stopWhileFailing: true)
    }
}
