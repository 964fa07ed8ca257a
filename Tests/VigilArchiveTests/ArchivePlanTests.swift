import Testing
import VigilArchive

/// Which files a range needs, worked out by hand from the archives' own file times.
@Suite struct ArchivePlanTests {
    static let day = 13_933.0 * 86_400  // 2008-02-24
    static func at(_ hhmm: Int) -> Double { day + Double(hhmm / 100 * 3600 + hhmm % 100 * 60) }

    /// route-views2's update files of 2008-02-24 between 17:07 and 22:11, as the archive names them (from
    /// the incident's folder): 15 minutes apart, except 18:07 → 18:24 and 20:09 → 20:26 (17 minutes).
    static let routeViews = [
        1707, 1722, 1737, 1752, 1807, 1824, 1839, 1854, 1909, 1924, 1939, 1954, 2009, 2026, 2041, 2056, 2111, 2126,
        2141, 2156, 2211,
    ].map { ArchiveFile(name: "updates.20080224.\($0).bz2", kind: .updates, time: at($0)) }

    @Test("RouteViews, 18:30 to 21:15: the file before 18:30 that runs into it, through the one starting at 21:11")
    func routeViewsRange() {
        let plan = ArchivePlan(
            files: Self.routeViews, from: Self.at(1830), to: Self.at(1815 + 300), project: .routeViews)
        #expect(plan.rib == nil)
        #expect(
            plan.updates.map { Int($0.file.name.dropFirst(17).prefix(4))! } == [
                1824, 1839, 1854, 1909, 1924, 1939, 1954, 2009, 2026, 2041, 2056, 2111,
            ])
        // Each spans to the next one's time.
        #expect(plan.updates.first?.end == Self.at(1839))
        #expect(plan.updates.first(where: { $0.file.time == Self.at(2009) })?.end == Self.at(2026))
        #expect(plan.holes.isEmpty)
    }

    @Test("a file the archive lacks is a hole; the last file spans the archive's period")
    func holes() {
        var files = Self.routeViews
        files.removeAll { $0.time == Self.at(1924) || $0.time == Self.at(1939) }
        let plan = ArchivePlan(files: files, from: Self.at(1900), to: Self.at(2300), project: .routeViews)
        // 19:09 covers its 15 minutes; nothing from 19:24 to 19:54.
        #expect(plan.updates.first { $0.file.time == Self.at(1909) }?.end == Self.at(1924))
        #expect(plan.holes.count == 2)
        #expect(plan.holes.first.map { [$0.start, $0.end] } == [Self.at(1924), Self.at(1954)])
        // The last file (22:11) ends at 22:26; the range runs to 23:00.
        #expect(plan.updates.last?.end == Self.at(2226))
        #expect(plan.holes.last.map { [$0.start, $0.end] } == [Self.at(2226), Self.at(2300)])
    }

    @Test("RIS: the last RIB at or before the start, within two RIB periods; none when all are later or too old")
    func ribs() {
        let ribs = ["0000", "0800", "1600"].map {
            ArchiveFile(name: "bview.20080224.\($0).gz", kind: .rib, time: Self.at(Int($0)!))
        }
        #expect(
            ArchivePlan(files: ribs, from: Self.at(1600), to: Self.at(1700), project: .ris).rib?.time == Self.at(1600))
        #expect(
            ArchivePlan(files: ribs, from: Self.at(1559), to: Self.at(1700), project: .ris).rib?.time == Self.at(800))
        #expect(
            ArchivePlan(files: Array(ribs.suffix(1)), from: Self.at(1559), to: Self.at(1700), project: .ris).rib == nil)
        // 16 hours is RIS's reach: a RIB 16 h 1 min old is not used.
        #expect(ArchivePlan(files: [ribs[0]], from: Self.at(1601), to: Self.at(1700), project: .ris).rib == nil)
        // The updates from the RIB on are needed to bring it up to the start: from 08:00, not 15:59.
        let updates = stride(from: 800, to: 1700, by: 5).filter { $0 % 100 < 60 }.map {
            ArchiveFile(name: "updates.20080224.\($0 < 1000 ? "0" : "")\($0).gz", kind: .updates, time: Self.at($0))
        }
        let plan = ArchivePlan(files: ribs + updates, from: Self.at(1559), to: Self.at(1700), project: .ris)
        #expect(plan.updates.first?.file.time == Self.at(800))
        #expect(plan.updates.count == 9 * 12)
        // No update file at all: the whole range is a hole.
        let none = ArchivePlan(files: ribs, from: Self.at(1600), to: Self.at(1700), project: .ris)
        #expect(none.holes.map { [$0.start, $0.end] } == [[Self.at(1600), Self.at(1700)]])
    }

    @Test("month folders of a range, and where RouteViews keeps route-views2 (its own folder from 2026)")
    func layout() throws {
        // 2025-12-31T20:00Z to 2026-02-01T01:00Z.
        #expect(ArchiveCache.months(from: 1_767_211_200, to: 1_769_907_600) == ["2025.12", "2026.01", "2026.02"])
        let rv2 = try ArchiveCollector("route-views2")
        let before = ArchiveCache.listingURLs(base: "http://m/", rv2, month: "2025.06")
        #expect(before.map(\.kind) == [.rib, .updates])
        #expect(
            before[1].urls == ["http://m/bgpdata/2025.06/UPDATES/", "http://m/route-views2/bgpdata/2025.06/UPDATES/"])
        let after = ArchiveCache.listingURLs(base: "http://m", rv2, month: "2026.03")
        #expect(after[0].urls == ["http://m/route-views2/bgpdata/2026.03/RIBS/", "http://m/bgpdata/2026.03/RIBS/"])
        let ris = ArchiveCache.listingURLs(
            base: "https://data.ris.ripe.net", try ArchiveCollector("rrc12"), month: "2025.06")
        #expect(ris.count == 1 && ris[0].kind == nil && ris[0].urls == ["https://data.ris.ripe.net/rrc12/2025.06/"])
        let cache = ArchiveCache(root: "/c")
        #expect(
            cache.path(rv2, month: "2008.02", name: "updates.20080224.1807.bz2")
                == "/c/routeviews/route-views2/2008.02/updates.20080224.1807.bz2")
    }
}
