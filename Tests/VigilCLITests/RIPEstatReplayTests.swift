import BGP
import Foundation
import Testing
import VigilTesting

/// `vigil replay --source ripestat` against a fake RIPEstat on loopback (a real HTTP server answering in the
/// API's real shapes, from the Cloudflare incident's table and updates as RIPE NCC published them), and the
/// answers and a RIS Live recording given back to `vigil replay` as files. Expected values come from the
/// incident's README (cause, start, prefixes) and from the files themselves read by hand.
@Suite struct RIPEstatReplayTests {
    /// 06:00 to 08:00 on 2022-06-21, the incident's data.
    static let range = ["--from", "2022-06-21T06:00Z", "--to", "2022-06-21T08:00Z"]

    /// The server over the incident's routes; `failing` first requests answered 503.
    static func server(failing: Int = 0) throws -> FakeRIPEstatServer {
        let (routes, tableTime) = try FakeRIPEstatServer.Route.cloudflare()
        return FakeRIPEstatServer(routes: routes, tableTime: tableTime, failing: failing)
    }

    /// The event objects of a `--json` run.
    static func events(_ r: Tools.Result) -> [[String: Any]] {
        String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").compactMap { line in
            let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return o?["type"] as? String == "event" ? o : nil
        }
    }

    /// The README's reading: one origin-side event from a withdrawal of 06:28, over by 07:30-07:50, with
    /// about 343 prefixes (24% of 1,436).
    static func expectREADME(_ events: [[String: Any]]) throws {
        #expect(events.count == 1, "\(events)")
        let e = try #require(events.first)
        #expect(e["cause"] as? String == "origin-side")
        let start = try UTCTime.read(e["start"] as? String ?? "").get()
        #expect((1_655_792_880.0..<1_655_792_940.0).contains(start), "\(e["start"] ?? "")")
        let end = try UTCTime.read(e["end"] as? String ?? "").get()
        #expect((1_655_796_600.0...1_655_797_800.0).contains(end), "\(e["end"] ?? "ongoing")")
        let dark = (e["prefixes"] as? [String])?.count ?? 0
        #expect((300...360).contains(dark), "\(dark) prefixes")
    }

    @Test(
        "--source ripestat: the README's origin-side event; sourceapp on every call, 503s tried again; a second run sends nothing"
    )
    func fetchAndReplay() async throws {
        let incident = try Incidents.cloudflare()
        let server = try Self.server(failing: 2)
        let running = try await server.start()
        defer { running.cancel() }
        let targets = try RealIncidentTests.targetsFile(incident.targetsFileSection)
        let cache = try Fixtures.temporaryFolder("ripestat-cache")
        let args =
            ["replay", "--json", "--events-only", "--full-feed", "100", "--targets", targets, "--target", "cloudflare"]
            + Self.range + ["--source", "ripestat", "--ripestat-url", server.url, "--cache", cache]
        let vigil = try Tools.vigil()
        let r = try await Tools.run(vigil, args)
        let err = String(decoding: r.stderr, as: UTF8.self)
        #expect(r.status == 0, "\(err)")
        try Self.expectREADME(Self.events(r))
        // 1,436 prefixes in calls of 50: 29 groups, a bgp-state and a bgp-updates each; the first two
        // requests were answered 503 and asked again.
        let asked = server.requests
        #expect(asked.count == 29 * 2 + 2, "\(asked.count) requests")
        #expect(asked.allSatisfy { $0.contains("sourceapp=vigil") })
        #expect(asked.filter { $0.hasPrefix("/data/bgp-state/data.json?") }.count >= 29)
        #expect(asked.filter { $0.contains("timestamp=2022-06-21T06:00:00") }.count >= 29)
        #expect(asked.filter { $0.contains("starttime=2022-06-21T06:00:00&endtime=2022-06-21T08:00:00") }.count >= 29)
        #expect(err.contains("58 RIPEstat answers (0 from the cache"), "\(err)")

        // Again: every answer from the cache, no request, the same events.
        let again = try await Tools.run(vigil, args)
        #expect(server.requests.count == asked.count)
        #expect(String(decoding: again.stderr, as: UTF8.self).contains("58 RIPEstat answers (58 from the cache"))
        #expect(String(decoding: again.stdout, as: UTF8.self) == String(decoding: r.stdout, as: UTF8.self))

        // The cached answers given as files are told by their content and give the same events.
        let answers = try FileManager.default.contentsOfDirectory(atPath: cache + "/ripestat").map {
            cache + "/ripestat/" + $0
        }
        #expect(answers.count == 58)
        let files = try await Tools.run(
            vigil,
            ["replay", "--json", "--events-only", "--full-feed", "100", "--targets", targets, "--target", "cloudflare"]
                + answers.sorted())
        #expect(files.status == 0, "\(String(decoding: files.stderr, as: UTF8.self))")
        #expect(String(decoding: files.stdout, as: UTF8.self) == String(decoding: r.stdout, as: UTF8.self))
        #expect(String(decoding: files.stderr, as: UTF8.self).contains("RIPEstat bgp-state answer"))
    }

    @Test("--offline with nothing cached: one clear line naming the cache, non-zero exit, no usage text")
    func offlineEmpty() async throws {
        let cache = try Fixtures.temporaryFolder("ripestat-empty")
        let targets = try RealIncidentTests.targetsFile(
            "[target.t]\norigins = [13335]\nprefixes = [\"1.1.1.0/24\"]\n")
        let r = try await Tools.run(
            try Tools.vigil(),
            ["replay", "--targets", targets, "--target", "t", "--source", "ripestat", "--offline", "--cache", cache]
                + Self.range)
        let err = String(decoding: r.stderr, as: UTF8.self)
        #expect(r.status != 0)
        #expect(err.contains("--offline: 2 RIPEstat answers of the range"), "\(err)")
        #expect(err.contains(cache + "/ripestat"), "\(err)")
        #expect(!err.contains("USAGE"), "\(err)")
    }

    @Test(
        "a RIS Live recording as a replay input: its UPDATEs and peer-down read, the cut last line reported by its number"
    )
    func risLiveRecording() async throws {
        // libbgpstream's 7 real frames (README of the data): an UPDATE, RIS_PEER_STATE down, OPEN,
        // NOTIFICATION, KEEPALIVE, a ris_error, and a KEEPALIVE cut short on line 7.
        let file = try Fixtures.path("ris-live/libbgpstream__ris-live-stream.json")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 7)
        let r = try await Tools.run(
            try Tools.vigil(), ["replay", "--json", "--bin", "0", "--target", "north-korea", file])
        let err = String(decoding: r.stderr, as: UTF8.self)
        #expect(r.status == 0, "\(err)")
        #expect(err.contains("RIS Live recording"), "\(err)")
        #expect(err.contains("line 7"), "\(err)")
        #expect(err.contains("1 skipped"), "\(err)")
        // By hand from the file: the UPDATE's announced and withdrawn prefixes are the route elements.
        let update = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let data = try #require(update["data"] as? [String: Any])
        let announced = (data["announcements"] as? [[String: Any]] ?? []).flatMap { $0["prefixes"] as? [String] ?? [] }
        let withdrawn = data["withdrawals"] as? [String] ?? []
        let summary = try #require(
            String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").last.flatMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            })
        #expect(summary["update_elements"] as? Int == announced.count + withdrawn.count, "\(summary)")
    }
}
