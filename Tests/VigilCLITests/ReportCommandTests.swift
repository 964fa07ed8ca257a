import BGP
import Foundation
import Testing
import VigilTesting

/// `vigil report` on the YouTube hijack of 2008, replayed from the archive mirror into a store: the
/// folder's five files say what the incident's README says, the PNG is rendered, the HTML passes Debian's
/// HTML validator (tidy) and renders in headless Chromium with no console message.
@Suite struct ReportCommandTests {
    static let targets =
        "[target.youtube]\nsummary = \"YouTube (AS36561)\"\norigins = [36561]\nprefixes = [\"208.65.152.0/22\"]\n"

    /// Where the docs' copies are written (`docs/reports/youtube-2008/` is made from them).
    static var outputDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/test-output/report-youtube-2008").path
    }

    @Test(
        "the YouTube hijack's report: headline, times and origin as the README has them; PNG, SVG, Markdown, JSON; valid HTML that Chromium renders"
    )
    func youtube() async throws {
        let (server, _) = try ArchiveMirrorServer.mirror()
        let running = try await server.start()
        defer { running.cancel() }
        let vigil = try Tools.vigil()
        let work = try Fixtures.temporaryFolder("report")
        let targets = work + "/youtube.toml"
        try Self.targets.write(toFile: targets, atomically: true, encoding: .utf8)
        let store = work + "/youtube.sqlite"
        let replay = try await Tools.run(
            vigil,
            [
                "replay", "--quiet", "--from", "2008-02-24T18:30Z", "--to", "2008-02-24T21:15Z",
                "--collectors", "route-views2", "--routeviews-archive", server.url("routeviews"), "--cache",
                work + "/cache", "--targets", targets, "--target", "youtube", "--store", store,
            ])
        #expect(replay.status == 0, "\(String(decoding: replay.stderr, as: UTF8.self))")

        let out = Self.outputDirectory
        try? FileManager.default.removeItem(atPath: out)
        let r = try await Tools.run(vigil, ["report", "1", "--store", store, "--out", out])
        #expect(r.status == 0, "\(String(decoding: r.stderr, as: UTF8.self))")
        #expect(r.stderr.isEmpty, "\(String(decoding: r.stderr, as: UTF8.self))")
        for name in ["report.html", "timeline.svg", "timeline.png", "report.md", "report.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
        }

        // report.json: the README's reading (AS17557, 208.65.153.0/24, 18:47:57 to 21:01:34).
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
                as? [String: Any])
        let headline = try #require(json["headline"] as? String)
        #expect(
            headline
                == "AS17557 announced 1 prefix of YouTube's address space from 18:47 UTC on 2008-02-24 to 21:01 UTC on 2008-02-24; a hijack: traffic to that space went to AS17557 instead.",
            "\(headline)")
        let event = try #require(json["event"] as? [String: Any])
        #expect(event["cause"] as? String == "hijack")
        #expect(event["start"] as? String == "2008-02-24T18:47:57Z")
        #expect(event["end"] as? String == "2008-02-24T21:01:34Z")
        #expect(event["prefixes"] as? [String] == ["208.65.153.0/24"])
        // The sources are the 12 files fetched, and the command replays the same range.
        let sources = json["sources"] as? [String] ?? []
        #expect(
            sources.count == 12
                && sources.allSatisfy {
                    $0.hasPrefix(server.url("routeviews/bgpdata/2008.02/UPDATES/updates.20080224."))
                })
        #expect((json["command"] as? String)?.contains("--from 2008-02-24T18:30Z --to 2008-02-24T21:15Z") == true)

        // report.md says the same.
        let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(md.hasPrefix("# " + headline))
        #expect(md.contains("- Start: 2008-02-24T18:47:57Z") && md.contains("![Timeline of YouTube](timeline.png)"))

        // The PNG: the signature, and the SVG's 960-pixel width at twice the size (IHDR width).
        let png = try Data(contentsOf: URL(fileURLWithPath: out + "/timeline.png"))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(png.count > 24 && png[16...19].reduce(0) { $0 << 8 | Int($1) } == 1920)
        let svg = try String(contentsOfFile: out + "/timeline.svg", encoding: .utf8)
        #expect(svg.contains("xmlns=\"http://www.w3.org/2000/svg\"") && !svg.contains("var(--"))
        // Its lanes: the hijacker's share of peers beside YouTube's own origin.
        #expect(
            svg.contains("data-lane=\"origin-AS17557\"") && svg.contains("data-lane=\"origin-AS36561\""),
            "\(svg.prefix(600))")

        // Debian's HTML validator: no errors, no warnings.
        let tidy = try await Tools.run(
            try Tools.which("tidy", package: "Debian's tidy package"), ["-errors", "-quiet", out + "/report.html"])
        #expect(tidy.status == 0, "\(String(decoding: tidy.stderr, as: UTF8.self))")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(!html.contains("<script") && !html.contains("<link") && html.contains("<svg"))

        // The range form reports the same event as its headline; an event the store lacks is one clear line.
        let range = work + "/range"
        let r2 = try await Tools.run(
            vigil,
            [
                "report", "--target", "youtube", "--from", "2008-02-24T18:00Z", "--to", "2008-02-24T22:00Z",
                "--store", store, "--out", range,
            ])
        #expect(r2.status == 0, "\(String(decoding: r2.stderr, as: UTF8.self))")
        #expect(String(decoding: r2.stdout, as: UTF8.self).hasPrefix(headline))
        let missing = try await Tools.run(vigil, ["report", "99", "--store", store, "--out", work + "/none"])
        let said = String(decoding: missing.stderr, as: UTF8.self)
        #expect(
            missing.status != 0 && said.contains("no event 99 in \(store)") && said.split(separator: "\n").count == 1,
            "\(said)")

        // Chromium renders it, with the event band and the headline, and logs nothing.
        let page = try await Chromium.load(
            "file://" + out + "/report.html", screenshot: out + "/report-chromium.png", size: "1280,1600")
        #expect(Chromium.console(page.log).isEmpty, "\(Chromium.console(page.log))")
        #expect(page.dom.contains("class=\"band\" data-event=\"1\""))
        #expect(page.dom.contains("AS17557 announced 1 prefix of YouTube"))
    }
}
