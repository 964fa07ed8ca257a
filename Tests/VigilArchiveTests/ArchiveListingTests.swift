import BGP
import Testing
import VigilArchive

/// Listings as the servers write them: Apache's index (RIS and RouteViews serve it), nginx's autoindex and
/// Python's http.server (mirrors). Times and sizes below are read off the texts by hand.
@Suite struct ArchiveListingTests {
    // 2008-02-24 is day 13,933 since 1970 (38 years, 10 leap days, 54 days into the year).
    static let day = 13_933.0 * 86_400

    @Test("Apache's index: the files with their times and sizes; folders, sort links and other files ignored")
    func apache() {
        let html = """
            <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th></tr>
            <tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/bgpdata/2008.02/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td></tr>
            <tr><td valign="top"><img src="/icons/unknown.gif" alt="[   ]"></td><td><a href="updates.20080224.1807.bz2">updates.20080224.1807.bz2</a></td><td align="right">2008-02-24 18:23  </td><td align="right">203K</td><td>&nbsp;</td></tr>
            <tr><td valign="top"><img src="/icons/unknown.gif" alt="[   ]"></td><td><a href="updates.20080224.1824.bz2">updates.20080224.1824.bz2</a></td><td align="right">2008-02-24 18:40  </td><td align="right">1.7M</td><td>&nbsp;</td></tr>
            <tr><td valign="top"><img src="/icons/unknown.gif" alt="[   ]"></td><td><a href="bview.20080224.1600.gz">bview.20080224.1600.gz</a></td><td align="right">2008-02-24 17:02  </td><td align="right">512</td><td>&nbsp;</td></tr>
            <tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="README.txt">README.txt</a></td><td align="right">2008-02-24 17:02  </td><td align="right">1.0K</td></tr>
            <tr><td><a href="updates.20080230.0000.bz2">not a day</a></td></tr>
            """
        let files = ArchiveListing.files(in: Array(html.utf8))
        #expect(
            files.map(\.name) == ["bview.20080224.1600.gz", "updates.20080224.1807.bz2", "updates.20080224.1824.bz2"])
        #expect(files.map(\.kind) == [.rib, .updates, .updates])
        #expect(
            files.map(\.time) == [Self.day + 16 * 3600, Self.day + 18 * 3600 + 7 * 60, Self.day + 18 * 3600 + 24 * 60])
        #expect(files.map(\.listedSize) == [512, 203 * 1024, UInt64(1.7 * 1_048_576)])
    }

    @Test("nginx's autoindex and Python's http.server: names and times alike")
    func others() {
        let nginx = """
            <html><head><title>Index of /rrc00/2025.06/</title></head><body><h1>Index of /rrc00/2025.06/</h1><hr><pre><a href="../">../</a>
            <a href="bview.20250606.1600.gz">bview.20250606.1600.gz</a>                             06-Jun-2025 17:41     1800123456
            <a href="updates.20250606.1605.gz">updates.20250606.1605.gz</a>                           06-Jun-2025 16:10     4096789
            </pre><hr></body></html>
            """
        let files = ArchiveListing.files(in: Array(nginx.utf8))
        // 2025-06-06 is day 20,245.
        let day = 20_245.0 * 86_400
        #expect(files.map(\.time) == [day + 16 * 3600, day + 16 * 3600 + 5 * 60])
        #expect(files.map(\.listedSize) == [1_800_123_456, 4_096_789])
        let python = """
            <ul>
            <li><a href="rib.20250606.1600.bz2">rib.20250606.1600.bz2</a></li>
            <li><a href='./updates.20250606.1615.bz2'>updates.20250606.1615.bz2</a></li>
            </ul>
            """
        let p = ArchiveListing.files(in: Array(python.utf8))
        #expect(p.map(\.name) == ["rib.20250606.1600.bz2", "updates.20250606.1615.bz2"])
        #expect(p.map(\.kind) == [.rib, .updates])
        #expect(p.allSatisfy { $0.listedSize == nil })
    }

    @Test("names that are not archive files, or name impossible times, are not files")
    func names() {
        for name in [
            "updates.20080224.2460.bz2", "updates.2008022.1807.bz2", "updates.20080224.1807.xz",
            "updates.20080224.1807",
            "../updates.20080224.1807.bz2", "bview.20081324.0000.gz", "ribs.20080224.0000.bz2", "",
        ] {
            #expect(ArchiveFile.named(name) == nil, "\(name)")
        }
        // 1999-09-03 is day 10,837: 10:41 that day.
        let expected: Double = 10_837 * 86_400 + 38_460
        #expect(ArchiveFile.named("updates.19990903.1041.gz")?.time == expected)
    }

    @Test("collector names: RIS's and RouteViews' pass, anything that could leave a path or a URL does not")
    func collectors() throws {
        #expect(try ArchiveCollector("rrc00").project == .ris)
        #expect(try ArchiveCollector("route-views.linx").project == .routeViews)
        for bad in ["rrc0", "rrc001", "../rrc00", "route-views/../x", "x", "RRC00", "route-views2?x=1", "isolario"] {
            #expect(throws: ArchiveCollector.NameError.self, "\(bad)") { try ArchiveCollector(bad) }
        }
    }
}
