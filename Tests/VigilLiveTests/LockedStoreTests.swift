import Foundation
import Testing
import Vigil
import VigilLive
import VigilStore
import VigilTesting

/// A store locked by another process (Python's sqlite3 in `BEGIN EXCLUSIVE`): each commit waits SQLite's
/// busy timeout (five seconds) before it fails. The engine's callers (the sources, the clock, `/healthz`)
/// must not wait with it: commits run on the engine's own store thread.
@Suite struct LockedStoreTests {
    @Test("a commit waiting for a lock held elsewhere stalls neither the sources, the clock nor the health")
    func lockedStoreDoesNotStallCallers() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-locked-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("history.sqlite").path
        let store = try History(path: path)
        let engine = LiveEngine(target: .northKorea, store: store)
        let start = 1_749_200_000.0
        engine.feedGap(source: "ris-live", start: start, reason: "before the lock")
        engine.commitPending()
        #expect(try store.feedGaps().count == 1, "the first gap was not committed while the store was free")

        let locker = try SQLiteLocker(path: path)
        defer { locker.kill() }
        // Each of these asks for a commit; one that waited for the lock would take at least five seconds.
        let began = ContinuousClock.now
        engine.feedGap(source: "bmp", start: start + 10, reason: "while locked")
        engine.tick(now: start + 11)
        engine.endFeedGap(source: "bmp", start: start + 10, end: start + 12)
        _ = engine.storeHealth
        engine.tick(now: start + 13)
        let took = ContinuousClock.now - began
        #expect(took < .seconds(4), "the callers waited \(took) for the locked store")

        // The commit under way fails once the busy timeout runs out, and the health says so at once.
        let failing = try await Live.wait(seconds: 30) { engine.storeHealth.isFailing }
        #expect(failing, "the store's failure never showed")
        #expect(engine.storeHealth.error?.contains("locked") == true, "\(engine.storeHealth)")

        // The lock goes: the next due retry writes what waited, and the health is good again.
        locker.release()
        let recovered = try await Live.wait(seconds: 60) {
            engine.tick(now: start + 20)
            return !engine.storeHealth.isFailing
        }
        #expect(recovered, "the store never recovered: \(engine.storeHealth)")
        engine.commitPending()
        let gaps = try store.feedGaps().filter { $0.source == "bmp" }
        #expect(gaps.count == 1 && gaps.first?.end == start + 12, "\(gaps)")
    }
}
