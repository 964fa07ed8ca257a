import Foundation
import Testing
import VigilTesting

/// The real incidents of `../shared/data/real/incidents/`, replayed as a user would, against the right
/// reading their README gives (times and peers there come from `bgpdump -m` of the same files).
@Suite struct RealIncidentTests {
    /// `vigil replay --json --events-only` of `files` for a target file's target; the event objects.
    static func events(targets: String, target: String, files: [String]) throws -> [[String: Any]] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-incident-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("targets.toml").path
        try targets.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Tools.run(
            try Tools.vigil(),
            ["replay", "--quiet", "--json", "--events-only", "--targets", file, "--target", target] + files)
        #expect(r.status == 0, "\(String(decoding: r.stderr, as: UTF8.self))")
        return String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").compactMap { line in
            let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return o?["type"] as? String == "event" ? o : nil
        }
    }

    @Test("YouTube 2008: one hijack of 208.65.153.0/24 by AS17557, 18:47:57 to 21:01:34, and no outage of the /22")
    func youtube() throws {
        // The files from 18:07 to 21:26 (the README: first AS17557 path 18:47:57, last gone 21:01:34).
        let names =
            ["1807", "1824", "1839", "1854", "1909", "1924", "1939", "1954"].map { "20080224.\($0)" }
            + ["2009", "2026", "2041", "2056", "2111", "2126"].map { "20080224.\($0)" }
        let files = try names.map { try Fixtures.path("incidents/youtube-2008-02-24/route-views2/updates.\($0).bz2") }
        let targets = "[target.youtube]\norigins = [36561]\nprefixes = [\"208.65.152.0/22\"]\n"
        let events = try Self.events(targets: targets, target: "youtube", files: files)
        #expect(events.count == 1, "\(events)")
        let hijack = try #require(events.first)
        #expect(hijack["cause"] as? String == "hijack")
        #expect(hijack["start"] as? String == "2008-02-24T18:47:57Z")
        #expect(hijack["end"] as? String == "2008-02-24T21:01:34Z")
        #expect(hijack["prefixes"] as? [String] == ["208.65.153.0/24"])
        #expect(hijack["origins"] as? [Int] == [17557])
        // "by 18:48:52 every one of the 42 peers that carry the /24 routes it to AS17557"; 45 peers in all.
        let evidence = (hijack["evidence"] as? [String] ?? []).joined(separator: "\n")
        #expect(evidence.contains("carried by up to 42 of the 45 peers up"), "\(evidence)")
        #expect(!events.contains { ($0["prefixes"] as? [String])?.contains("208.65.152.0/22") == true })
    }
}
