import BGP
import Foundation
import Testing
import Vigil
import VigilStore
import VigilTesting

@testable import VigilServer

/// A real browser (Debian's headless Chromium) loads the overview, target and event pages of the lab's
/// recovery scenario replayed into a store: screenshots go under `.build/test-output/screenshots`, and
/// the DOM after the scripts ran is checked (event band, diagnosis text) with no console message at all.
@Suite(.enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"), .serialized)
struct BrowserTests {
    static var outputDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/test-output/screenshots")
    }

    /// Runs Chromium on `url`: the DOM it ends with and what it logged; with `screenshot`, also a PNG.
    static func chromium(_ url: String, screenshot: String? = nil, size: String = "1280,900", dark: Bool = false)
        async throws -> (dom: String, log: String)
    {
        try await Chromium.load(url, screenshot: screenshot, size: size, dark: dark)
    }

    /// Console lines in Chromium's log.
    static func console(_ log: String) -> [String] { Chromium.console(log) }

    @Test("overview, target and event pages render in Chromium with the event band and the diagnosis")
    func pages() async throws {
        let (store, truth) = try LabStore.make("recovery")
        let repaired = try #require(truth.repairedAt)
        try FileManager.default.createDirectory(at: Self.outputDirectory, withIntermediateDirectories: true)
        let shots = Self.outputDirectory.path
        try await ServerHarness.withServer(store, now: { repaired + 60 }) { _, port in
            let base = "http://127.0.0.1:\(port)"
            let from = UTCTime.iso(truth.faultAt - 20)
            let to = UTCTime.iso(repaired + 20)

            let overview = try await Self.chromium(base + "/", screenshot: shots + "/overview.png")
            #expect(Self.console(overview.log).isEmpty, "\(Self.console(overview.log))")
            // The script ran (it marks the document) and the target is back up after the repair.
            #expect(overview.dom.contains(#"<html lang="en" class="js">"#))
            #expect(overview.dom.contains(#"data-state="up""#))
            #expect(overview.dom.contains(#"href="/targets/north-korea""#))

            let target = try await Self.chromium(
                base + "/targets/north-korea?from=\(from)&to=\(to)", screenshot: shots + "/target.png")
            #expect(Self.console(target.log).isEmpty, "\(Self.console(target.log))")
            #expect(target.dom.contains(#"class="band" data-event="1""#))
            #expect(target.dom.contains(#"data-lane="AS4837""#))
            #expect(target.dom.contains("AS20485 (TransTeleCom)"))

            let event = try await Self.chromium(base + "/events/1", screenshot: shots + "/event.png")
            #expect(Self.console(event.log).isEmpty, "\(Self.console(event.log))")
            #expect(event.dom.contains(#"data-diagnosis="origin-side""#))
            #expect(event.dom.contains("Internal failure: the target withdrew its routes itself"))
            #expect(event.dom.contains(#"class="band" data-event="1""#))
            for p in truth.prefixes { #expect(event.dom.contains("<li>\(p)</li>")) }

            // A phone in dark mode: same content, no console message.
            let phone = try await Self.chromium(
                base + "/events/1", screenshot: shots + "/event-phone-dark.png", size: "390,844", dark: true)
            #expect(Self.console(phone.log).isEmpty)
            #expect(phone.dom.contains(#"data-diagnosis="origin-side""#))
        }
        for name in ["overview", "target", "event", "event-phone-dark"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: shots + "/\(name).png")[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(name).png")
        }
    }
}
