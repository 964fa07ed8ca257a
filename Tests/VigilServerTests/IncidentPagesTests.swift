import BGP
import Foundation
import Testing
import Vigil
import VigilStore
import VigilTesting

@testable import VigilServer

/// The real incidents of `../shared/data/real/incidents/`, replayed into a store as a user would
/// (`vigil replay --store`), served, and loaded in Chromium: the pages must tell what happened at a glance
/// (the README's right reading), each lane saying what it counts. Screenshots go under
/// `.build/test-output/screenshots` (the ones in docs/ come from here).
@Suite(.serialized) struct IncidentPagesTests {
    /// `vigil replay --store` of `files` for the targets file's `target`, one-minute bins.
    /// The replay runs from a thread of its own at low priority (the async `Tools.run`): a pool thread
    /// held for its seconds would stall the servers of the suites running beside this one.
    static func store(targets: String, target: String, files: [String], extra: [String] = []) async throws
        -> History
    {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("targets.toml").path
        try targets.write(toFile: file, atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("store.sqlite").path
        let vigil = try Tools.vigil()
        let r = try await Tools.run(
            vigil,
            ["replay", "--quiet", "--bin", "60", "--store", path, "--targets", file, "--target", target] + extra + files
        )
        #expect(r.status == 0, "\(String(decoding: r.stderr, as: UTF8.self))")
        return try History(path: path)
    }

    /// Lane labels in the chart, in order (the first text of each lane).
    static func lanes(_ dom: String) -> [String] {
        dom.components(separatedBy: #"<text x="4" y=""#).dropFirst().compactMap { part in
            guard let close = part.range(of: "\">"), let end = part.range(of: "</text>") else { return nil }
            return String(part[close.upperBound..<end.lowerBound])
        }
    }

    @Test("YouTube 2008: the hijack's page shows AS17557's share of peers beside AS36561's, the space kept visible")
    func youtube() async throws {
        let names =
            ["1807", "1824", "1839", "1854", "1909", "1924", "1939", "1954"].map { "20080224.\($0)" }
            + ["2009", "2026", "2041", "2056", "2111", "2126"].map { "20080224.\($0)" }
        let files = try names.map { try Fixtures.path("incidents/youtube-2008-02-24/route-views2/updates.\($0).bz2") }
        let store = try await Self.store(
            targets: "[target.youtube]\norigins = [36561]\nprefixes = [\"208.65.152.0/22\"]\n", target: "youtube",
            files: files)
        let events = try store.events(target: "youtube", since: 0, until: 2e9, limit: 10)
        #expect(events.map(\.cause) == [.hijack])
        let shots = BrowserTests.outputDirectory.path
        try FileManager.default.createDirectory(at: BrowserTests.outputDirectory, withIntermediateDirectories: true)
        try await ServerHarness.withServer(store, now: { 1_203_890_000 }) { _, port in
            let base = "http://127.0.0.1:\(port)"
            let page = try await BrowserTests.chromium(base + "/events/1", screenshot: shots + "/youtube-event.png")
            #expect(BrowserTests.console(page.log).isEmpty, "\(BrowserTests.console(page.log))")
            #expect(page.dom.contains(#"data-diagnosis="hijack""#))
            let lanes = Self.lanes(page.dom)
            // The README: AS17557 took the /24 from YouTube's AS36561; the /22 was never withdrawn.
            #expect(lanes.contains("AS17557 (hijacker)"), "\(lanes)")
            #expect(lanes.contains("AS36561 (origin)"), "\(lanes)")
            #expect(lanes.first == "Space visible")
            #expect(page.dom.contains("% of peers up (0-100)"))
            #expect(page.dom.contains(#"data-lane="origin-AS17557""#))
            // The upstreams that carried the target, not every neighbour of every peer.
            #expect(lanes.filter { $0.hasPrefix("via AS") }.count <= 6, "\(lanes)")
            let target = try await BrowserTests.chromium(
                base + "/targets/youtube?from=2008-02-24T18:00:00Z&to=2008-02-24T21:30:00Z",
                screenshot: shots + "/youtube-target.png")
            #expect(BrowserTests.console(target.log).isEmpty)
            #expect(Self.lanes(target.dom).contains("AS17557 (hijacker)"))
        }
        // The space stayed visible: no bin lost any of the /22 (nothing withdrew it).
        let bins = try store.signalBins(target: "youtube", from: 1_203_876_000, to: 1_203_889_000)
        #expect(!bins.isEmpty)
        #expect(bins.allSatisfy { $0.darkShare == 0 })
        // AS17557 reached every peer carrying the /24 (42 of 45 peers up at most) and was gone by 21:02.
        let peak = bins.compactMap { $0.originShare[17557] }.max() ?? 0
        #expect(peak > 0.8 && peak <= 1, "\(peak)")
    }

    @Test("Cloudflare 2022: the outage's page shows the share of the space dark and the upstreams that carried it")
    func cloudflare() async throws {
        let file = try Fixtures.path("incidents/cloudflare-2022-06-21/cloudflare-20220621.ris-t1.mrt.gz")
        var prefixes: Set<String> = []
        for line in try await Tools.bgpdump(["-m", file]).lines {
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            if f.count > 5, f[2] == "A", let t = Double(f[1]), t < 1_655_791_300 { prefixes.insert(String(f[5])) }
        }
        let list = prefixes.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
        let store = try await Self.store(
            targets: "[target.cloudflare]\norigins = [13335]\nprefixes = [\(list)]\n", target: "cloudflare",
            files: [file], extra: ["--full-feed", "100"])
        let events = try store.events(target: "cloudflare", since: 0, until: 2e9, limit: 10)
        #expect(events.map(\.cause) == [.originSide])
        let shots = BrowserTests.outputDirectory.path
        try FileManager.default.createDirectory(at: BrowserTests.outputDirectory, withIntermediateDirectories: true)
        try await ServerHarness.withServer(store, now: { 1_655_798_400 }) { _, port in
            let page = try await BrowserTests.chromium(
                "http://127.0.0.1:\(port)/events/1", screenshot: shots + "/cloudflare-event.png")
            #expect(BrowserTests.console(page.log).isEmpty, "\(BrowserTests.console(page.log))")
            #expect(page.dom.contains(#"data-diagnosis="origin-side""#))
            let lanes = Self.lanes(page.dom)
            #expect(lanes.first == "Space visible")
            // 157 ASes appear before AS13335 in some path; the lanes are the few that carried it.
            let upstreams = lanes.filter { $0.hasPrefix("via AS") }
            #expect((1...6).contains(upstreams.count), "\(lanes)")
            #expect(upstreams.contains("via AS174"), "\(lanes)")
            #expect(!lanes.contains { $0.contains("hijacker") })
        }
        // The dark share at the worst: the README's 343 prefixes withdrawn, of 4,443 /24 equivalents
        // tracked, are several percent of the space; before 06:28 and after 07:45 none.
        let bins = try store.signalBins(target: "cloudflare", from: 1_655_791_200, to: 1_655_798_400)
        let worst = bins.map(\.darkShare).max() ?? 0
        #expect(worst > 0.05 && worst < 0.24, "\(worst)")
        #expect(bins.filter { $0.start < 1_655_792_880 }.allSatisfy { $0.darkShare == 0 })
    }
}
