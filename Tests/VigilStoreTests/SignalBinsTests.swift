import BGP
import Foundation
import Testing
import Vigil
import VigilTesting

@testable import VigilStore

/// Signals read back in wider bins: each keeps the worst stored moment, checked against sums and minima
/// worked out by hand, and against the `sqlite3` shell's own reading of the file.
@Suite(.ownThread) struct SignalBinsTests {
    /// Ten one-minute bins from 600 s: prefixes up 4,4,3,4,4, 4,0,4,4,4; updates 1..10; upstream 4837's
    /// share equals the prefixes up.
    static func store() throws -> History {
        let store = try History(path: VigilStoreTests.temporaryPath())
        let up = [4, 4, 3, 4, 4, 4, 0, 4, 4, 4]
        for (i, n) in up.enumerated() {
            try store.save(
                signals: SignalBin(
                    target: "t", start: 600 + Double(i) * 60, seconds: 60, prefixesUp: n, prefixes: 4,
                    votingPeers: 10 + i, updates: i + 1, visibility: [:], upstreamShare: [4837: Double(n)]))
        }
        return store
    }

    @Test("as stored: every bin, oldest first, figures as written")
    func asStored() throws {
        let bins = try Self.store().signalBins(target: "t", from: 600, to: 1_200)
        #expect(bins.map(\.prefixesUp) == [4, 4, 3, 4, 4, 4, 0, 4, 4, 4])
        #expect(bins.map(\.start) == stride(from: 600.0, to: 1_200, by: 60).map { $0 })
        #expect(bins.first?.upstreamShare == [4837: 4])
        // The range is half-open: a bin starting at `to` is not in it.
        #expect(try Self.store().signalBins(target: "t", from: 600, to: 660).count == 1)
    }

    @Test("five-minute bins keep the worst minute and sum the updates")
    func wider() throws {
        let bins = try Self.store().signalBins(target: "t", from: 0, to: 10_000, bin: 300)
        // 600-899 holds minutes 0-4 (worst: 3 up, at 720 s, 12 voting peers); 900-1199 minutes 5-9 (worst 0, at
        // 960 s, 16 peers).
        #expect(bins.map(\.start) == [600, 900])
        #expect(bins.map(\.seconds) == [300, 300])
        #expect(bins.map(\.prefixesUp) == [3, 0])
        #expect(bins.map(\.votingPeers) == [12, 16])
        #expect(bins.map(\.updates) == [1 + 2 + 3 + 4 + 5, 6 + 7 + 8 + 9 + 10])
        #expect(bins.map { $0.upstreamShare[4837] } == [3, 0])
    }

    @Test("the newest bin, and the same minimum as the sqlite3 shell computes from the file")
    func newestAndShell() throws {
        let store = try Self.store()
        #expect(try store.lastSignalBin(target: "t")?.start == 1_140)
        #expect(try store.lastSignalBin(target: "nobody") == nil)
        let fields = try Tools.sqlite(
            store.path, "SELECT MIN(prefixes_up), SUM(updates) FROM signals WHERE start >= 900 AND start < 1200")
        let bin = try #require(try store.signalBins(target: "t", from: 900, to: 1_200, bin: 300).first)
        #expect(fields == "\(bin.prefixesUp)|\(bin.updates)")
    }
}

/// The API's signals array, written straight from SQLite rows.
@Suite(.ownThread) struct SignalsJSONTests {
    @Test("the bytes parse as JSON and carry each bin's figures, times written as UTCTime.iso writes them")
    func sameAsBins() throws {
        let store = try SignalBinsTests.store()
        // A bin at a fractional second and one on another day, for the time writer.
        for start in [86_400 * 3 + 0.25, 86_400 * 400 + 59.5] {
            try store.save(
                signals: SignalBin(
                    target: "t", start: start, seconds: 60, prefixesUp: 1, prefixes: 4, votingPeers: 2, updates: 0,
                    visibility: [IPPrefix(address: IPAddress(v4: 0x0A00_0000), length: 8): 0.5],
                    upstreamShare: [:]))
        }
        for bin in [nil, 300.0] {
            let bytes = try #require(try store.signalsJSON(target: "t", from: 0, to: 1e9, bin: bin))
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]])
            let bins = try store.signalBins(target: "t", from: 0, to: 1e9, bin: bin)
            #expect(parsed.count == bins.count)
            for (p, b) in zip(parsed, bins) {
                #expect(p["start"] as? String == UTCTime.iso(b.start))
                #expect(p["seconds"] as? Int == Int(b.seconds))
                #expect(p["prefixes_up"] as? Int == b.prefixesUp)
                #expect(p["updates"] as? Int == b.updates)
                #expect(p["voting_peers"] as? Int == b.votingPeers)
                #expect((p["upstreams"] as? [String: Any])?.count == b.upstreamShare.count)
            }
        }
        // Hand-written times: 3 days and a quarter second; 400 days and 59.5 s (1971-02-05).
        let text = String(decoding: try #require(try store.signalsJSON(target: "t", from: 0, to: 1e9)), as: UTF8.self)
        #expect(text.contains(#""start":"1970-01-04T00:00:00.250Z""#))
        #expect(text.contains(#""start":"1971-02-05T00:00:59.500Z""#))
        #expect(text.contains(#""visibility":{"10.0.0.0/8":0.5}"#))
        #expect(try store.signalsJSON(target: "nobody", from: 0, to: 1e9) == Array("[]".utf8))
    }

    @Test("golden: the API's bytes for stored bins are the bins' own JSON (SignalBin.jsonLine), byte for byte")
    func sameBytesAsTheBinType() throws {
        let store = try History(path: VigilStoreTests.temporaryPath())
        var rng = SystemRandomNumberGenerator()
        var bins: [SignalBin] = []
        for i in 0..<200 {
            // Times on the millisecond (the ISO form's resolution), counts, maps and shares of any value:
            // both writers round shares to three decimals.
            let start = Double(i) * 60 + Double(Int.random(in: 0..<1000, using: &rng)) / 1000 + 1_600_000_000
            var visibility: [IPPrefix: Double] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let p = IPPrefix(address: IPAddress(v4: UInt32.random(in: 0...UInt32.max) & 0xFFFF_FF00), length: 24)
                visibility[p] = Double.random(in: 0...1, using: &rng)
            }
            var ups: [UInt32: Double] = [:]
            for _ in 0..<Int.random(in: 0...3, using: &rng) { ups[UInt32.random(in: 1...400_000)] = .random(in: 0...5) }
            let dark = [0, 1, 0.0005, 0.9995, Double.random(in: 0...1, using: &rng)][i % 5]
            bins.append(
                SignalBin(
                    target: "t", start: start, seconds: 60, prefixesUp: Int.random(in: 0...9), prefixes: 9,
                    votingPeers: Int.random(in: 0...500), updates: Int.random(in: 0...1_000_000),
                    visibility: visibility,
                    upstreamShare: ups, darkShare: dark, originShare: [131279: .random(in: 0...1)]))
        }
        for b in bins { try store.save(signals: b) }
        let bytes = try #require(try store.signalsJSON(target: "t", from: 0, to: 2e9))
        // The same bins as the bin type writes them, without the two members the API leaves out.
        let expected =
            "["
            + bins.map { $0.jsonLine.replacingOccurrences(of: #"{"type":"bin","target":"t","#, with: "{") }.joined(
                separator: ",") + "]"
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test("a range holding more bins than the limit gives nil, one holding exactly the limit the whole answer")
    func limit() throws {
        let store = try History(path: VigilStoreTests.temporaryPath())
        for i in 0..<5 {
            try store.save(
                signals: SignalBin(
                    target: "t", start: Double(i * 60), seconds: 60, prefixesUp: 1, prefixes: 1, votingPeers: 1,
                    updates: 0, visibility: [:], upstreamShare: [:]))
        }
        #expect(try store.signalsJSON(target: "t", from: 0, to: 1e9, limit: 4) == nil)
        let five = try #require(try store.signalsJSON(target: "t", from: 0, to: 1e9, limit: 5))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(five)) as? [[String: Any]])
        #expect(parsed.count == 5)
        // Two-minute bins: 3 of them (0, 120, 240), within a limit of 3.
        #expect(try store.signalsJSON(target: "t", from: 0, to: 1e9, bin: 120, limit: 3) != nil)
        #expect(try store.signalsJSON(target: "t", from: 0, to: 1e9, bin: 120, limit: 2) == nil)
    }
}
