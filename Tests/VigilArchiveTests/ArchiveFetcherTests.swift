import BGP
import Foundation
import Testing
import VigilArchive
import VigilTesting

/// Fetching from a real HTTP server on loopback that serves a mirror of RouteViews' and RIS's layouts made
/// of the real files (`ArchiveMirrorServer`): what comes down is byte for byte what the archive holds, a
/// file that cannot be had is a warning with its URL and a gap over its span, a cut-short download is
/// resumed with a Range request, and a second run asks nothing.
@Suite struct ArchiveFetcherTests {
    static let day = 13_933.0 * 86_400  // 2008-02-24
    static func at(_ hhmm: Int) -> Double { day + Double(hhmm / 100 * 3600 + hhmm % 100 * 60) }
    static let folder = "routeviews/bgpdata/2008.02/UPDATES/"

    static func request(_ server: ArchiveMirrorServer, cache: String, collectors: [String] = ["route-views2"]) throws
        -> ArchiveRequest
    {
        var r = ArchiveRequest(
            from: at(1830), to: at(2115), collectors: try collectors.map { try ArchiveCollector($0) },
            cache: ArchiveCache(root: cache))
        r.bases = [.routeViews: server.url("routeviews"), .ris: server.url("ris")]
        // Generous: the server shares two cores with the rest of the test run.
        r.timeout = .seconds(5)
        r.retries = 1
        r.retryDelay = 0.05
        return r
    }

    @Test(
        "18:30 to 21:15 from route-views2: 12 files byte for byte; one missing, one cut short, one too slow: warnings with URLs, gaps over their spans; one cut once: resumed"
    )
    func faults() async throws {
        let name = { (hhmm: Int) in Self.folder + "updates.20080224.\(hhmm).bz2" }
        let (server, linked) = try ArchiveMirrorServer.mirror(
            faults: [
                name(1909): .missing, name(1954): .truncated(10_000), name(2041): .slow(.seconds(12)),
                name(1839): .truncatedOnce(50_000),
            ])
        let running = try await server.start()
        defer { running.cancel() }
        let cache = try Fixtures.temporaryFolder("cache")
        let result = try await ArchiveFetcher(try Self.request(server, cache: cache)).fetch()

        // The 12 files of the range (ArchivePlanTests), less the three that cannot be had.
        let got = result.files.map { Int($0.file.name.dropFirst(17).prefix(4))! }
        #expect(got == [1824, 1839, 1854, 1924, 1939, 2009, 2026, 2056, 2111])
        for f in result.files {
            let original = try #require(linked[Self.folder + f.file.name])
            #expect(FileManager.default.contentsEqual(atPath: f.path, andPath: original), "\(f.file.name)")
            #expect(f.collector == "route-views2" && !f.cached)
        }
        // The cut-once file was resumed from where the first answer stopped, not fetched again whole.
        let asked = server.requests.filter { $0.contains("updates.20080224.1839.bz2") }
        #expect(asked.count == 2, "\(asked)")
        #expect(asked.last?.contains("Range: bytes=") == true && asked.last?.contains("bytes=0-") == false, "\(asked)")

        let url = { (hhmm: Int) in server.url(name(hhmm)) }
        let warnings = result.warnings.joined(separator: "\n")
        #expect(warnings.contains("\(url(1909)): not found (HTTP 404)"), "\(warnings)")
        #expect(warnings.contains("\(url(1954)): truncated"), "\(warnings)")
        // Too slow: a read time-out (or, on a loaded machine, the server's close of a connection given up on).
        #expect(
            warnings.contains("\(url(2041)): timed out") || warnings.contains("\(url(2041)): the server closed"),
            "\(warnings)")
        #expect(warnings.contains("route-views2: no RIB snapshot at or before 2008-02-24T18:30:00Z"), "\(warnings)")
        // Each gap spans its file: to the next file's time.
        #expect(
            result.gaps.map { [$0.start, $0.end] } == [
                [Self.at(1909), Self.at(1924)], [Self.at(1954), Self.at(2009)], [Self.at(2041), Self.at(2056)],
            ])
        #expect(result.gaps.allSatisfy { $0.collector == "route-views2" })
        // No partial file is left under a whole file's name.
        #expect(
            !FileManager.default.fileExists(
                atPath: cache + "/routeviews/route-views2/2008.02/updates.20080224.1954.bz2"))
    }

    @Test("a second run of the same range sends no request; --offline then works, and fails clearly on an empty cache")
    func cache() async throws {
        let (server, _) = try ArchiveMirrorServer.mirror()
        let running = try await server.start()
        defer { running.cancel() }
        let cache = try Fixtures.temporaryFolder("cache")
        let request = try Self.request(server, cache: cache, collectors: ["route-views2", "rrc15", "rrc03"])
        let first = try await ArchiveFetcher(request).fetch()
        #expect(first.files.count == 12, "\(first.warnings)")
        let sent = server.requests.count
        #expect(first.requests == sent)
        let second = try await ArchiveFetcher(request).fetch()
        #expect(server.requests.count == sent, "\(server.requests.dropFirst(sent))")
        #expect(
            second.requests == 0
                && second.files
                    == first.files.map {
                        var f = $0; f.cached = true; return f
                    }
        )
        var offline = request
        offline.offline = true
        offline.bases = [.routeViews: "http://127.0.0.1:9/", .ris: "http://127.0.0.1:9/"]
        let third = try await ArchiveFetcher(offline).fetch()
        #expect(third.paths == first.paths)
        // The folders the archive did not have (RIS's collectors in 2008.02 of this mirror) are told as the
        // archive's holes offline too, not as a cache that lacks them.
        #expect(first.warnings.contains { $0.hasSuffix("the archive has no folder for it in this range") })
        #expect(third.warnings == first.warnings, "\(third.warnings)")

        var empty = offline
        empty.cache = ArchiveCache(root: try Fixtures.temporaryFolder("empty"))
        let error = await #expect(throws: ArchiveError.self) { try await ArchiveFetcher(empty).fetch() }
        #expect(
            error?.description.contains("--offline: the cache \(empty.cache.root) holds nothing") == true,
            "\(String(describing: error))")
    }

    @Test(
        "RIS: a collector's RIB at or before the start and its updates; a collector with no folder is told, not fetched"
    )
    func ris() async throws {
        let (server, linked) = try ArchiveMirrorServer.mirror()
        let running = try await server.start()
        defer { running.cancel() }
        var request = try Self.request(
            server, cache: try Fixtures.temporaryFolder("cache"), collectors: ["rrc00", "rrc01"])
        // 2002-07-22 23:40 to 23:50: the bview of 23:37 seeds; the updates file of 22:38 ended at 22:43.
        request.from = 1_027_381_200
        request.to = 1_027_381_800
        let result = try await ArchiveFetcher(request).fetch()
        #expect(result.files.map(\.file.name) == ["bview.20020722.2337.gz"])
        let rib = try #require(result.files.first)
        #expect(
            FileManager.default.contentsEqual(
                atPath: rib.path, andPath: linked["ris/rrc00/2002.07/bview.20020722.2337.gz"]!))
        #expect(result.warnings.contains { $0.hasPrefix("rrc01: the archive has no folder") }, "\(result.warnings)")
        // rrc00 has no update file from 23:37 on: a gap for it; rrc01 none at all.
        #expect(result.gaps.map(\.collector) == ["rrc00", "rrc01"], "\(result.gaps)")
    }
}
