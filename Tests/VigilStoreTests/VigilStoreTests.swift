import BGP
import Foundation
import Testing
import Vigil
import VigilClock
import VigilTesting

@testable import VigilStore

/// The SQLite store on real files in a temporary folder.
@Suite struct VigilStoreTests {
    static func temporaryPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("history.sqlite").path
    }

    static func event(id: Int, end: Double?) -> DetectedEvent {
        DetectedEvent(
            id: id, target: "north-korea", cause: .originSide, confidence: 0.8, start: 1_749_231_000, end: end,
            prefixes: ["175.45.176.0/24", "175.45.177.0/24"].compactMap(IPPrefix.init), upstreams: [4837, 20485],
            severity: 12.5, evidence: ["all 4 prefixes withdrawn within 14 s", "quote \" and \\ kept"])
    }

    @Test("the store's own stamps are its clock's: a target's and an event row's time, as the sqlite3 shell reads them")
    func stampsFromTheClock() throws {
        let path = Self.temporaryPath()
        let clock = ManualClock(seconds: 1_749_231_003)
        let store = try History(path: path, clock: clock)
        try store.save(target: .northKorea)
        try store.save(event: Self.event(id: 1, end: nil), open: true)
        #expect(try Tools.sqlite(path, "select updated from targets where name = 'north-korea'") == "1749231003.0")
        #expect(try Tools.sqlite(path, "select updated from events where id = 1") == "1749231003.0")
        // A batch committed a minute of the clock later (the engine's path) stamps the row again.
        clock.advance(by: .seconds(60))
        var batch = StoreBatch(target: "north-korea")
        batch.events = [(Self.event(id: 1, end: 1_749_231_050), false)]
        try store.commit(batch)
        #expect(try Tools.sqlite(path, "select updated from events where id = 1") == "1749231063.0")
    }

    @Test("an event saved open, then closed, reads back field for field, also after reopening the file")
    func eventsRoundTrip() throws {
        let path = Self.temporaryPath()
        let store = try History(path: path)
        #expect(try store.nextEventID() == 1)
        try store.save(event: Self.event(id: 7, end: nil), open: true)
        let open = try store.events(open: true)
        #expect(open.count == 1)
        #expect(open.first?.jsonLine == Self.event(id: 7, end: nil).jsonLine)
        try store.save(event: Self.event(id: 7, end: 1_749_260_000), open: false)
        #expect(try store.events(open: true).isEmpty)
        #expect(try store.nextEventID() == 8)
        let reopened = try History(path: path)
        let closed = try reopened.events(open: false)
        #expect(closed.count == 1)
        #expect(closed.first?.jsonLine == Self.event(id: 7, end: 1_749_260_000).jsonLine)
        #expect(try reopened.events(cause: .hijack).isEmpty)
        #expect(try reopened.events(target: "elsewhere").isEmpty)
        // Still going on at or after `since`: this one ended at 1_749_260_000.
        #expect(try reopened.events(since: 1_749_260_001).isEmpty)
        #expect(try reopened.events(since: 1_749_259_999).count == 1)
    }

    @Test("the file is SQLite in WAL mode, as the sqlite3 shell sees it")
    func walMode() throws {
        let path = Self.temporaryPath()
        let store = try History(path: path)
        try store.save(event: Self.event(id: 1, end: nil), open: true)
        #expect(try Tools.sqlite(path, "PRAGMA journal_mode;") == "wal")
        #expect(try Tools.sqlite(path, "SELECT cause, state FROM events WHERE id = 1;") == "origin-side|open")
    }

    @Test("a batch's routes, withdrawals and peer losses leave exactly the routes still held")
    func batches() throws {
        let store = try History(path: Self.temporaryPath())
        let a = PeerKey(collector: "rrc00", address: IPAddress("192.0.2.1")!, asn: 64500)
        let b = PeerKey(collector: "rrc00", address: IPAddress("2001:db8::2")!, asn: 64501)
        let p1 = IPPrefix("175.45.176.0/24")!
        let p2 = IPPrefix("175.45.177.0/24")!
        var first = StoreBatch(target: "north-korea")
        first.announced = [
            StoredRoute(peer: a, prefix: p1, origin: 131279, upstream: 4837, time: 10),
            StoredRoute(peer: a, prefix: p2, origin: 131279, upstream: 20485, time: 11),
            StoredRoute(peer: b, prefix: p1, origin: 131279, upstream: 4837, time: 12),
        ]
        first.events = [(Self.event(id: 3, end: nil), true)]
        try store.commit(first)
        #expect(try store.routes(target: "north-korea").count == 3)
        var second = StoreBatch(target: "north-korea")
        second.withdrawn = [(a, p2)]
        second.peersDown = [b]
        second.peers = [StoredPeer(key: a, lastHeard: 20, lastRoute: 11)]
        try store.commit(second)
        let left = try store.routes(target: "north-korea")
        #expect(left == [StoredRoute(peer: a, prefix: p1, origin: 131279, upstream: 4837, time: 10)])
        #expect(try store.peers(target: "north-korea") == [StoredPeer(key: a, lastHeard: 20, lastRoute: 11)])
        #expect(try store.routes(target: "other").isEmpty)
    }

    @Test("signals and feed gaps round-trip; pruning removes what ended before the line and keeps the rest")
    func signalsGapsAndRetention() throws {
        let store = try History(path: Self.temporaryPath())
        let p = IPPrefix("175.45.176.0/24")!
        for start in stride(from: 0.0, to: 600, by: 60) {
            try store.save(
                signals: SignalBin(
                    target: "north-korea", start: start, seconds: 60, prefixesUp: 4, prefixes: 4, votingPeers: 9,
                    updates: Int(start), visibility: [p: 0.875], upstreamShare: [4837: 2.5]))
        }
        let bins = try store.signalBins(target: "north-korea", from: 120, to: 300, visibility: true)
        #expect(bins.map(\.start) == [120, 180, 240])
        #expect(bins.first?.visibility == [p: 0.875])
        #expect(bins.first?.upstreamShare == [4837: 2.5])
        let gap = try store.openFeedGap(source: "ris-live", start: 100, reason: "connection closed")
        _ = try store.openFeedGap(source: "bmp:192.0.2.1", start: 200, reason: "router gone")
        try store.closeFeedGap(id: gap, end: 150)
        #expect(try store.feedGaps().map(\.end) == [150, nil])
        try store.closeOpenFeedGaps(end: 500)
        #expect(try store.feedGaps().map(\.end) == [150, 500])
        try store.save(event: Self.event(id: 1, end: 100), open: false)
        try store.save(event: Self.event(id: 2, end: nil), open: true)
        // Before 300: bins 0..240 (5), the gap ended at 150 (1) and the event closed at 100 (1).
        #expect(try store.prune(before: 300) == 7)
        #expect(try store.signalBins(target: "north-korea", from: 0, to: 1000, visibility: true).count == 5)
        #expect(try store.events().map(\.id) == [2])
    }

    @Test("several openers of one new file at the same moment all get the store (watch starting while read)")
    func concurrentOpeners() async throws {
        for _ in 0..<5 {
            let path = Self.temporaryPath()
            let opened = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask { try History(path: path).nextEventID() }
                }
                return try await group.reduce(0) { $0 + $1 }
            }
            #expect(opened == 6)
        }
    }

    @Test("a store from a newer Vigil is refused with a message that says so")
    func newerSchemaIsRefused() throws {
        let path = Self.temporaryPath()
        _ = try History(path: path)
        _ = try Tools.sqlite(path, "INSERT INTO grdb_migrations VALUES ('99 from the future');")
        #expect(throws: StoreError.self) { _ = try History(path: path) }
        do {
            _ = try History(path: path)
        } catch {
            #expect("\(error)".contains("newer Vigil"))
        }
        #expect(throws: StoreError.self) { _ = try History(path: "/proc/no/such/dir/x.sqlite") }
    }
}

/// A store error says what SQLite said, with its result code.
@Suite struct StoreErrorTests {
    @Test("a write while another process holds the lock fails with SQLITE_BUSY (5), named in the error")
    func lockedByAnotherProcess() async throws {
        let path = VigilStoreTests.temporaryPath()
        let store = try History(path: path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [
            "-c",
            "import sqlite3, sys, time\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\nprint('locked', flush=True)\ntime.sleep(8)\n",
            path,
        ]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        defer { p.terminate() }
        #expect(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).contains("locked"))
        do {
            try store.set("k", "v")
            Issue.record("the write went through although another process held the lock")
        } catch {
            #expect(error.code == 5)
            #expect(error.isLocked && !error.isDiskFull)
            #expect(error.description.contains("database is locked"), "\(error)")
        }
    }
}

/// Several openers of a new store at once (a watch starting while `vigil status` and a test read it): each
/// opens it, whichever of them applies the migrations.
@Suite struct StoreOpenRaceTests {
    @Test("six openers of one new file at once, forty times: every one opens it")
    func concurrentOpeners() throws {
        for _ in 0..<40 {
            let path = VigilStoreTests.temporaryPath()
            let failures = NSLock()
            nonisolated(unsafe) var errors: [String] = []
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do {
                    _ = try History(path: path)
                } catch {
                    failures.withLock { errors.append("\(error)") }
                }
            }
            #expect(errors.isEmpty)
        }
    }
}
