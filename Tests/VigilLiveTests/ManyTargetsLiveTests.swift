import BGP
import Foundation
import MRT
import RISLive
import Testing
import Vigil
import VigilStore
import VigilTesting

@testable import VigilLive

/// Live monitoring of several targets by one engine: one feed, one store, each route reaching only the
/// monitors whose space it touches. The readings come from outside: the Cloudflare incident's README and
/// bgpdump's view of its file, and the lab's ground truth.
@Suite(.ownThread) struct ManyTargetsLiveTests {
    /// The Cloudflare incident's target, as RealIncidentTests builds it from bgpdump's reading of the file:
    /// AS13335 and every prefix the three peers carried at 06:00; YouTube's /22 as a second, disjoint target.
    static func incidentTargets() throws -> (file: String, targets: [Target], withdrawals: Set<Double>) {
        let incident = try Incidents.cloudflare()
        try #require(incident.prefixes.count == 1436)
        var targets = try TargetFile.parse(
            incident.targetsFileSection + "\n[target.youtube]\norigins = [36561]\nprefixes = [\"208.65.152.0/22\"]\n")
        targets.append(.northKorea)
        // Three peers only: each counts as a full feed.
        for i in targets.indices { targets[i].thresholds.fullFeedIPv4 = 100 }
        return (incident.file, targets, incident.withdrawals)
    }

    /// Feeds `file` to `engine` record by record, as a BMP router would hand its messages over, with the
    /// clock ticking at each second of record time; returns the store's events, oldest first.
    static func feed(_ file: String, to engine: LiveEngine) throws -> [DetectedEvent] {
        _ = try engine.resume(now: 1_655_791_200 - 3600)
        engine.settleVotes()
        let reader = try MRTReader.open(path: file)
        var decoder = MRTDecoder()
        var elements: [RouteElement] = []
        var second = 0.0
        while let record = try reader.next() {
            let t = Double(record.header.timestamp)
            if t > second {
                if second > 0 { engine.tick(now: t) }
                second = t
            }
            elements.removeAll(keepingCapacity: true)
            _ = decoder.decode(record) { elements.append($0) }
            if !elements.isEmpty { engine.apply(elements: elements, collector: "rrc01") }
        }
        try engine.shutdown(now: second + 3600)
        return try #require(engine.store).events().reversed()
    }

    @Test(
        "Cloudflare 2022 watched beside YouTube and North Korea: one origin-side event from a 06:28 withdrawal, nothing for the others, every target's bins in the store, and the same event as watching Cloudflare alone"
    )
    func cloudflareAmongOthers() throws {
        let (file, targets, withdrawals) = try Self.incidentTargets()
        let store = try Live.temporaryStore()
        let engine = LiveEngine(targets: targets, store: store, binSeconds: 600, clock: { 1_655_791_200 })
        let events = try Self.feed(file, to: engine)
        let summary = events.map { "\($0.target) \($0.cause.rawValue) \($0.start)-\(String(describing: $0.end))" }
        try #require(events.count == 1, "\(summary)")
        let e = events[0]
        #expect(e.target == "cloudflare")
        // The README: "caused at the origin (it withdrew them from every upstream at once; its upstreams
        // kept carrying the rest)", 343 distinct prefixes withdrawn 06:28-06:34, recovery by about 07:45.
        #expect(e.cause == .originSide, "\(summary)")
        #expect(withdrawals.contains(e.start) && (1_655_792_880.0..<1_655_792_940.0).contains(e.start), "\(e.start)")
        let end = try #require(e.end)
        #expect((1_655_796_600.0...1_655_797_800.0).contains(end), "\(end)")  // 07:30 to 07:50
        #expect((300...360).contains(e.prefixes.count), "\(e.prefixes.count) prefixes")
        // Bins of ten minutes from 06:00 to 08:00 for every target, each named by it: bgpdump shows records
        // in each of those twelve bins, and every target's bin closes with the others'.
        for t in targets {
            let bins = try store.signalBins(target: t.name, from: 0, to: 4e9, visibility: true)
            #expect(bins.count >= 12, "\(t.name): \(bins.count) bins")
            #expect(bins.allSatisfy { $0.target == t.name })
        }
        #expect(try store.targets().map(\.name).sorted() == ["cloudflare", "north-korea", "youtube"])

        // Alone: the same event, the same bins.
        let aloneStore = try Live.temporaryStore()
        let alone = LiveEngine(target: targets[0], store: aloneStore, binSeconds: 600, clock: { 1_655_791_200 })
        let aloneEvents = try Self.feed(file, to: alone)
        #expect(aloneEvents == events)
        #expect(
            try aloneStore.signalBins(target: "cloudflare", from: 0, to: 4e9, visibility: true)
                == store.signalBins(target: "cloudflare", from: 0, to: 4e9, visibility: true))
    }
}

/// Every APNIC country watched at once from a real RIB: registry space that no route covers is not an
/// outage under way.
@Suite(.ownThread) struct CountriesLiveTests {
    @Test(
        "every APNIC country of 2016 seeded from a real RIB of 2002: every country has bins, peers vote, and no event opens (nothing happened after the snapshot; delegations of later years are simply not routed yet)"
    )
    func allCountriesFromARIB() throws {
        let text = try String(
            contentsOfFile: try Fixtures.path("rir/bgp-traceparse__delegated-apnic-latest.20161214"), encoding: .utf8)
        let countries = CountryResources.byCountry(delegatedStats: text).countries
        var targets = countries.keys.sorted().compactMap { countries[$0].map(Target.init(country:)) }
        #expect(targets.count == 76)  // the file's own count of APNIC economies with resources
        // The 2002 peers carry about 110,000 routes: let them count as full feeds.
        for i in targets.indices { targets[i].thresholds.fullFeedIPv4 = 50_000 }
        let store = try Live.temporaryStore()
        let engine = LiveEngine(targets: targets, store: store, binSeconds: 60, clock: { 1_027_382_400 })
        _ = try engine.resume(now: 1_027_380_000)
        let rib = try Fixtures.path("mrt/bgpdump__bview.20020722.2337.gz")
        let seeded = try RIBSeeder.seed(engine, paths: [rib]) { Issue.record("RIB warning: \($0)") }
        #expect(seeded.elements == 115_521)  // bgpdump -m: 115,521 lines
        engine.settleVotes()
        // The snapshot: 23:37:35 to 23:37:37 on 2002-07-22 (bgpdump); five minutes of ticks close bins.
        let ribTime = 1_027_381_057.0  // bgpdump: the last entry's time
        for t in stride(from: ribTime, through: ribTime + 300, by: 1) { engine.tick(now: t) }
        try engine.shutdown(now: ribTime + 301)
        let events = try store.events()
        #expect(events.isEmpty, "\(events.map { "\($0.target) \($0.cause.rawValue) \($0.prefixes.count) prefixes" })")
        #expect(engine.signals(now: ribTime + 301).votingPeers > 0)
        for t in targets.prefix(10) {
            #expect(try store.signalBins(target: t.name, from: 0, to: 4e9, visibility: true).count >= 4, "\(t.name)")
        }
    }
}

/// The lab's scenarios over RIS Live with more targets than North Korea: a twin of it (the same space
/// under another name, so every route concerns two monitors) and a transit's own prefix, 62.115.0.0/16 of
/// AS1299, which every peer carries in the lab's RIB and which no update of these scenarios touches
/// (bgpdump: six RIB entries, no update line for it).
@Suite(.enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"))
struct ManyTargetsLabTests {
    @Test(
        "lab scenarios watched with a twin target and a disjoint one: each twin gets the ground truth's event, the other nothing, event numbers unique",
        arguments: ["upstream-cut-ttk", "hijack", "origin-down", "recovery"])
    func twins(scenario: String) async throws {
        let truth = try LabRecordings.truth(scenario)
        var twin = Target.northKorea
        twin.name = "north-korea-twin"
        let transit = try TargetFile.parse("[target.transit]\norigins = [1299]\nprefixes = [\"62.115.0.0/16\"]\n")
        let events = try await LiveLabTests.watch(truth, others: [twin] + transit)
        let summary = events.map {
            "\($0.id) \($0.target) \($0.cause.rawValue) \($0.prefixes) \($0.upstreams) \($0.start)-\(String(describing: $0.end))"
        }
        for name in ["north-korea", "north-korea-twin"] {
            let mine = events.filter { $0.target == name }
            try #require(mine.count == 1, "\(name): \(summary)")
            let e = mine[0]
            let problems = LabRecordings.mismatches(
                truth, cause: e.cause.rawValue, prefixes: e.prefixes.map(\.description), upstreams: e.upstreams,
                start: e.start, end: e.end)
            #expect(problems.isEmpty, "\(name): \(problems); all: \(summary)")
        }
        #expect(!events.contains { $0.target == "transit" }, "\(summary)")
        #expect(Set(events.map(\.id)).count == events.count, "\(summary)")
    }
}
