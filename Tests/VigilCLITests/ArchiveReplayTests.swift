import BGP
import Foundation
import Testing
import VigilTesting

/// `vigil replay --from --to` against a real HTTP server on loopback serving a mirror of RouteViews' layout
/// made of the YouTube incident's real files: the same events and bins as replaying those files from
/// disk, the incident's right reading (its README), gaps for what cannot be had, the cache, --offline.
@Suite struct ArchiveReplayTests {
    static let targets = "[target.youtube]\norigins = [36561]\nprefixes = [\"208.65.152.0/22\"]\n"
    static let range = ["--from", "2008-02-24T18:30Z", "--to", "2008-02-24T21:15Z"]

    static func targetsFile() throws -> String {
        let file = try Fixtures.temporaryFolder("targets") + "/targets.toml"
        try targets.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The JSON lines of a replay's standard output, of the given types.
    static func lines(_ r: Tools.Result, _ types: Set<String>) -> [String] {
        String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").map(String.init).filter { line in
            let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (o?["type"] as? String).map(types.contains) ?? false
        }
    }

    @Test(
        "fetched from the mirror, 18:30 to 21:15 gives exactly the events and bins of the same 12 files from disk: the hijack of 18:47:57 to 21:01:34"
    )
    func sameAsDisk() async throws {
        let (server, _) = try ArchiveMirrorServer.mirror()
        let running = try await server.start()
        defer { running.cancel() }
        let vigil = try Tools.vigil()
        let targets = try Self.targetsFile()
        let common = ["replay", "--json", "--quiet", "--targets", targets, "--target", "youtube"] + Self.range
        let cache = try Fixtures.temporaryFolder("cache")
        let fetched = try await Tools.run(
            vigil,
            common + [
                "--collectors", "route-views2", "--routeviews-archive", server.url("routeviews"), "--cache", cache,
            ])
        let fetchedErr = String(decoding: fetched.stderr, as: UTF8.self)
        #expect(fetched.status == 0, "\(fetchedErr)")
        #expect(fetchedErr.contains("12 files (0 from the cache"), "\(fetchedErr)")

        // The files of the range as ArchivePlanTests works them out, from the incident's folder.
        let names = [1824, 1839, 1854, 1909, 1924, 1939, 1954, 2009, 2026, 2041, 2056, 2111]
        let files = try names.map {
            try Fixtures.path("incidents/youtube-2008-02-24/route-views2/updates.20080224.\($0).bz2")
        }
        let disk = try await Tools.run(vigil, common + files)
        #expect(disk.status == 0, "\(String(decoding: disk.stderr, as: UTF8.self))")

        let a = Self.lines(fetched, ["event", "bin"])
        let b = Self.lines(disk, ["event", "bin"])
        #expect(a.count > 30)
        #expect(a == b)
        // The README's right reading: one hijack of the /24 by AS17557, 18:47:57 to 21:01:34.
        let events = Self.lines(fetched, ["event"]).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.count == 1)
        #expect(events.first?["cause"] as? String == "hijack")
        #expect(events.first?["start"] as? String == "2008-02-24T18:47:57Z")
        #expect(events.first?["end"] as? String == "2008-02-24T21:01:34Z")
        #expect(events.first?["origins"] as? [Int] == [17557])

        // Again: everything from the cache, no request.
        let before = server.requests.count
        let again = try await Tools.run(
            vigil,
            common + [
                "--collectors", "route-views2", "--routeviews-archive", server.url("routeviews"), "--cache", cache,
            ])
        #expect(server.requests.count == before, "\(server.requests.dropFirst(before))")
        #expect(String(decoding: again.stderr, as: UTF8.self).contains("12 files (12 from the cache"))
        #expect(Self.lines(again, ["event", "bin"]) == a)
    }

    @Test("a missing file: a warning with its URL, a gap line for route-views2 over its span, the hijack still found")
    func missingFile() async throws {
        let missing = "routeviews/bgpdata/2008.02/UPDATES/updates.20080224.1909.bz2"
        let (server, _) = try ArchiveMirrorServer.mirror(faults: [missing: .missing])
        let running = try await server.start()
        defer { running.cancel() }
        let store = try Fixtures.temporaryFolder("store") + "/history.sqlite"
        let r = try await Tools.run(
            try Tools.vigil(),
            ["replay", "--json", "--targets", try Self.targetsFile(), "--target", "youtube"] + Self.range + [
                "--collectors", "route-views2", "--routeviews-archive", server.url("routeviews"), "--cache",
                try Fixtures.temporaryFolder("cache"), "--retries", "0", "--store", store,
            ])
        let err = String(decoding: r.stderr, as: UTF8.self)
        #expect(r.status == 0, "\(err)")
        #expect(err.contains("vigil: warning: \(server.url(missing)): not found (HTTP 404)"), "\(err)")
        let gaps = Self.lines(r, ["gap"]).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(gaps.count == 1)
        #expect(gaps.first?["collector"] as? String == "route-views2")
        #expect(gaps.first?["start"] as? String == "2008-02-24T19:09:00Z")
        #expect(gaps.first?["end"] as? String == "2008-02-24T19:24:00Z")
        #expect(Self.lines(r, ["event"]).count == 1)
        // The store keeps it as a closed feed gap of the collector (19:09 and 19:24 UTC that day).
        let stored = try await Tools.sqlite(store, "SELECT source, start, \"end\" FROM feed_gaps")
        #expect(
            stored.trimmingCharacters(in: .whitespacesAndNewlines) == "route-views2|1203880140.0|1203881040.0",
            "\(stored)")
    }

    @Test("--offline with an empty cache: one clear line, non-zero exit, no usage text")
    func offlineEmpty() async throws {
        let cache = try Fixtures.temporaryFolder("empty")
        let r = try await Tools.run(try Tools.vigil(), ["replay", "--offline", "--cache", cache] + Self.range)
        let err = String(decoding: r.stderr, as: UTF8.self)
        #expect(r.status != 0)
        #expect(err.contains("--offline: the cache \(cache) holds nothing for rrc00, route-views2"), "\(err)")
        #expect(!err.contains("USAGE") && err.split(separator: "\n").count == 1, "\(err)")
    }
}
