import BGP
import Foundation
import Testing
import Vigil
import VigilTesting

@testable import VigilStore

/// A batch that waits for a failing store absorbs the batches after it (`StoreBatch.merge`): committing
/// the merged batch must leave the store as committing each batch in turn does. The sequential commits
/// are the oracle, on real SQLite files.
@Suite(.ownThread) struct StoreBatchMergeTests {
    static let peers = [
        PeerKey(collector: "rrc00", address: IPAddress(v4: 0xC000_0201), asn: 64500),
        PeerKey(collector: "rrc00", address: IPAddress(v4: 0xC000_0202), asn: 64501),
        PeerKey(collector: "bmp1", address: IPAddress(v4: 0xC000_0203), asn: 64502),
    ]
    static let prefixes = ["175.45.176.0/24", "175.45.177.0/24", "175.45.178.0/24", "210.52.109.0/24"]
        .compactMap(IPPrefix.init)

    /// Routes left in a store, as sorted text.
    static func routes(_ store: History) throws -> [String] {
        try store.routes(target: "north-korea").map {
            "\($0.peer) \($0.prefix) \($0.origin.map(String.init) ?? "-") \($0.upstream.map(String.init) ?? "-") \($0.time)"
        }.sorted()
    }

    /// A reproducible pseudo-random batch: announcements, withdrawals, a peer down now and then, an event
    /// opened or updated, a setting, a peer time, a signal bin.
    static func batch(_ n: Int, _ rng: inout SplitMix) -> StoreBatch {
        var b = StoreBatch(target: "north-korea")
        for _ in 0..<Int(rng.next() % 6) {
            let peer = peers[Int(rng.next() % 3)]
            let prefix = prefixes[Int(rng.next() % 4)]
            switch rng.next() % 5 {
            case 0, 1, 2:
                b.announced.append(
                    StoredRoute(
                        peer: peer, prefix: prefix, origin: 131279, upstream: [4837, 20485][Int(rng.next() % 2)],
                        time: Double(1_749_231_000 + n)))
            case 3: b.withdrawn.append((peer, prefix))
            default: if rng.next() % 3 == 0 { b.peersDown.append(peer) }
            }
        }
        if rng.next() % 3 == 0 {
            let id = Int(rng.next() % 3) + 1
            let open = rng.next() % 2 == 0
            b.events.append(
                (
                    DetectedEvent(
                        id: id, target: "north-korea", cause: .originSide, confidence: 0.8, start: 1_749_231_000,
                        end: open ? nil : Double(1_749_231_000 + n), prefixes: [prefixes[id]], upstreams: [4837],
                        severity: Double(n), evidence: ["step \(n)"]), open
                ))
        }
        if rng.next() % 4 == 0 { b.settings.append(("baseline:north-korea", "step \(n)")) }
        let peer = peers[Int(rng.next() % 3)]
        b.peers.append(
            StoredPeer(
                key: peer, lastHeard: Double(1_749_231_000 + n), lastRoute: rng.next() % 2 == 0 ? Double(n) : nil))
        return b
    }

    @Test("a merged batch writes what the batches committed in turn write: routes, events, settings, peer times")
    func mergedEqualsSequential() throws {
        var rng = SplitMix(state: 20_261_201)
        for round in 0..<40 {
            let sequential = try History(path: VigilStoreTests.temporaryPath())
            let merged = try History(path: VigilStoreTests.temporaryPath())
            // A common starting state, then a run of batches (the time a store failed).
            let start = Self.batch(0, &rng)
            try sequential.commit(start)
            try merged.commit(start)
            var waiting = StoreBatch(target: "north-korea")
            for n in 1...(2 + round % 9) {
                let b = Self.batch(n, &rng)
                try sequential.commit(b)
                waiting.merge(b)
            }
            try merged.commit(waiting)
            #expect(try Self.routes(merged) == Self.routes(sequential), "round \(round)")
            #expect(try merged.events().map(\.jsonLine) == sequential.events().map(\.jsonLine), "round \(round)")
            #expect(
                try merged.events(open: true).map(\.id) == sequential.events(open: true).map(\.id), "round \(round)")
            #expect(try merged.setting("baseline:north-korea") == sequential.setting("baseline:north-korea"))
            #expect(
                try merged.peers(target: "north-korea") == sequential.peers(target: "north-korea"), "round \(round)")
            // Bounded: one row per peer and prefix at most, whatever the number of updates.
            #expect(waiting.announced.count <= Self.peers.count * Self.prefixes.count)
        }
    }

    @Test("an announcement then its withdrawal, by hand: the merged batch deletes the route and keeps no insert")
    func announceThenWithdraw() {
        let p = Self.peers[0]
        let prefix = Self.prefixes[0]
        var a = StoreBatch(target: "north-korea")
        a.announced = [StoredRoute(peer: p, prefix: prefix, origin: 131279, upstream: 4837, time: 1)]
        var b = StoreBatch(target: "north-korea")
        b.withdrawn = [(p, prefix)]
        a.merge(b)
        #expect(a.announced.isEmpty)
        #expect(a.withdrawn.map { "\($0.0) \($0.1)" } == ["\(p) \(prefix)"])
        #expect(a.summary == "1 route row")
    }

    @Test("a feed gap opened and closed while the store failed is written once, closed, by the merged batch")
    func feedGapWhileFailing() throws {
        var waiting = StoreBatch(target: "north-korea")
        waiting.gaps.append(("ris-live", 1000, "connection closed by the server", nil))
        var later = StoreBatch(target: "north-korea")
        later.gaps.append(("ris-live", 1000, "", 1060))
        later.gaps.append(("ris-live", 2000, "stalled", nil))
        waiting.merge(later)
        let store = try History(path: VigilStoreTests.temporaryPath())
        try store.commit(waiting)
        let gaps = try store.feedGaps()
        #expect(gaps.map(\.start) == [1000, 2000])
        #expect(gaps.map(\.end) == [1060, nil])
        #expect(gaps.map(\.reason) == ["connection closed by the server", "stalled"])
    }
}
