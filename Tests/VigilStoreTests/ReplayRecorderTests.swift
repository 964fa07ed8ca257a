import BGP
import Foundation
import Testing
import Vigil
import VigilTesting

@testable import VigilStore

/// `vigil replay --store`'s writer: events numbered after those the store holds, bins and events written
/// in batches, and a store locked by another process losing nothing.
@Suite(.ownThread) struct ReplayRecorderTests {
    static func bin(_ target: String, _ start: Double) -> SignalBin {
        SignalBin(
            target: target, start: start, seconds: 60, prefixesUp: 4, prefixes: 4, votingPeers: 3, updates: 10,
            visibility: [:], upstreamShare: [:], darkShare: 0, originShare: [:])
    }

    static func event(_ id: Int, _ target: String, end: Double?) -> DetectedEvent {
        DetectedEvent(
            id: id, target: target, cause: .originSide, confidence: 0.8, start: 1_749_231_000, end: end,
            prefixes: [IPPrefix("175.45.176.0/24")].compactMap { $0 }, upstreams: [4837], severity: 1,
            evidence: ["by hand"])
    }

    @Test(
        "events continue the store's numbering (two there: the replay's 1 and 2 become 3 and 4), bins and targets kept, open events stay open"
    )
    func numbering() throws {
        let store = try History(path: VigilStoreTests.temporaryPath())
        try store.save(event: Self.event(1, "north-korea", end: 100), open: false)
        try store.save(event: Self.event(2, "north-korea", end: 200), open: false)
        var twin = Target.northKorea
        twin.name = "twin"
        var recorder = try ReplayRecorder(store: store, targets: [.northKorea, twin])
        #expect(recorder.idOffset == 2)
        recorder.add(Self.bin("north-korea", 0))
        recorder.add(Self.bin("twin", 0))
        #expect(recorder.add(Self.event(1, "twin", end: 300)).id == 3)
        #expect(recorder.add(Self.event(2, "north-korea", end: nil)).id == 4)
        try recorder.finish()
        #expect(try store.targets().map(\.name).sorted() == ["north-korea", "twin"])
        #expect(try store.events().map(\.id).sorted() == [1, 2, 3, 4])
        #expect(try store.events(open: true).map(\.id) == [4])
        #expect(try store.signalBins(target: "twin", from: 0, to: 100, visibility: true).count == 1)
        #expect(try store.signalBins(target: "north-korea", from: 0, to: 100, visibility: true).count == 1)
    }

    @Test("written in batches: with a batch of 3, the store holds 3 bins after 4 are added, all 7 after finish")
    func batches() throws {
        let store = try History(path: VigilStoreTests.temporaryPath())
        var recorder = try ReplayRecorder(store: store, targets: [.northKorea])
        recorder.batchSize = 3
        for i in 0..<4 { recorder.add(Self.bin("north-korea", Double(i) * 60)) }
        #expect(try store.signalBins(target: "north-korea", from: 0, to: 1e9, visibility: true).count == 3)
        for i in 4..<7 { recorder.add(Self.bin("north-korea", Double(i) * 60)) }
        try recorder.finish()
        #expect(try store.signalBins(target: "north-korea", from: 0, to: 1e9, visibility: true).count == 7)
    }

    @Test(
        "a store locked by another process: the batch waits and is written with the next one; still locked at the end, finish says so"
    )
    func locked() throws {
        let path = VigilStoreTests.temporaryPath()
        let store = try History(path: path)
        var recorder = try ReplayRecorder(store: store, targets: [.northKorea])
        recorder.batchSize = 2
        let locker = try SQLiteLocker(path: path)
        recorder.add(Self.bin("north-korea", 0))
        _ = recorder.add(Self.event(1, "north-korea", end: 60))  // the batch is tried: SQLite waits 5 s, fails
        #expect(recorder.error?.isLocked == true, "\(String(describing: recorder.error))")
        locker.release()
        recorder.add(Self.bin("north-korea", 60))
        recorder.add(Self.bin("north-korea", 120))  // the next batch takes the waiting one with it
        #expect(recorder.error == nil)
        #expect(try store.signalBins(target: "north-korea", from: 0, to: 1e9, visibility: true).count == 3)
        #expect(try store.events().map(\.id) == [1])

        // Locked again, and still locked when the replay ends: finish throws, naming the lock.
        let again = try SQLiteLocker(path: path)
        defer { again.release() }
        recorder.add(Self.bin("north-korea", 180))
        #expect(throws: StoreError.self) { try recorder.finish() }
        #expect(recorder.error?.isLocked == true)
    }
}
