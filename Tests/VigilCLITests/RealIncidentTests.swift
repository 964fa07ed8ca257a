import BGP
import Foundation
import Testing
import VigilTesting

/// The real incidents of `../shared/data/real/incidents/`, replayed as a user would, against the right
/// reading their README gives (times and peers there come from `bgpdump -m` of the same files).
@Suite(.ownThread) struct RealIncidentTests {
    /// `vigil replay --json --events-only` of `files` for a target file's target; the event objects.
    static func events(targets: String, target: String, files: [String], extra: [String] = []) throws -> [[String: Any]]
    {
        let file = try targetsFile(targets)
        let r = try Tools.run(
            try Tools.vigil(),
            ["replay", "--quiet", "--json", "--events-only", "--targets", file, "--target", target] + extra + files)
        #expect(r.status == 0, "\(String(decoding: r.stderr, as: UTF8.self))")
        return String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").compactMap { line in
            let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return o?["type"] as? String == "event" ? o : nil
        }
    }

    /// A targets file holding `text`, in a folder of its own.
    static func targetsFile(_ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-incident-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("targets.toml").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
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

    @Test("Cloudflare 2022: one origin-side outage of part of AS13335, from 06:28 to about 07:45, not an upstream's")
    func cloudflare() throws {
        // The target: AS13335 and every prefix the three peers carried at 06:00 (bgpdump's reading of the
        // file's first state, announced at 1655791200), as the README describes the data.
        let incident = try Incidents.cloudflare()
        let (file, withdrawals) = (incident.file, incident.withdrawals)
        #expect(incident.prefixes.count == 1436)
        let targets = incident.targetsFileSection
        // Three peers only: each counts as a full feed.
        let events = try Self.events(
            targets: targets, target: "cloudflare", files: [file], extra: ["--full-feed", "100"])
        #expect(events.count == 1, "\(events)")
        let e = try #require(events.first)
        // The README: "caused at the origin (it withdrew them from every upstream at once; its upstreams
        // kept carrying the rest)".
        #expect(e["cause"] as? String == "origin-side")
        // It starts with a withdrawal of 06:28 (the README: withdrawn 06:28-06:34; bgpdump has the times; a
        // few routine withdrawals before are no outage), and ends when the visible share is back
        // near its baseline: "recovery 07:00-07:45 (1,426 at 07:45)"; Cloudflare's account says 07:42.
        let start = try UTCTime.read(e["start"] as? String ?? "").get()
        #expect(withdrawals.contains(start))
        #expect((1_655_792_880.0..<1_655_792_940.0).contains(start), "\(e["start"] ?? "")")  // 06:28
        let end = try UTCTime.read(e["end"] as? String ?? "").get()
        // 07:30:00Z and 07:50:00Z.
        #expect((1_655_796_600.0...1_655_797_800.0).contains(end), "\(e["end"] ?? "ongoing")")
        // "343 distinct prefixes withdrawn 06:28-06:34": about 24% of its prefixes.
        let dark = (e["prefixes"] as? [String])?.count ?? 0
        #expect((300...360).contains(dark), "\(dark) prefixes")
        let evidence = (e["evidence"] as? [String] ?? []).joined(separator: "\n")
        #expect(evidence.contains("the origin withdrew them"), "\(evidence)")
        // Evidence is a note, not a list: no line names more than a handful of prefixes.
        for line in e["evidence"] as? [String] ?? [] { #expect(line.split(separator: "/").count < 12, "\(line)") }
    }

    @Test("Cloudflare 2022 with other targets in the same run: the same one event, and nothing for the others")
    func cloudflareAmongOthers() throws {
        let incident = try Incidents.cloudflare()
        let (file, hours) = (incident.file, incident.hours)
        let youtube = try #require(IPPrefix("208.65.152.0/22"))
        let northKorea = try #require(IPPrefix("175.45.176.0/22"))
        // bgpdump: the file (Cloudflare's prefixes only) holds no route into the other targets' space.
        let others = incident.named.compactMap(IPPrefix.init).filter { $0.overlaps(youtube) || $0.overlaps(northKorea) }
        #expect(others.isEmpty)
        let targets =
            incident.targetsFileSection + "[target.youtube]\norigins = [36561]\nprefixes = [\"208.65.152.0/22\"]\n"
        let events = try Self.events(
            targets: targets, target: "cloudflare", files: [file],
            extra: ["--full-feed", "100", "--target", "youtube", "--target", "north-korea"])
        #expect(events.count == 1, "\(events)")
        let e = try #require(events.first)
        #expect(e["target"] as? String == "cloudflare")
        #expect(e["cause"] as? String == "origin-side")
        let start = try UTCTime.read(e["start"] as? String ?? "").get()
        #expect((1_655_792_880.0..<1_655_792_940.0).contains(start), "\(e["start"] ?? "")")  // 06:28
        let end = try UTCTime.read(e["end"] as? String ?? "").get()
        #expect((1_655_796_600.0...1_655_797_800.0).contains(end), "\(e["end"] ?? "ongoing")")
        let dark = (e["prefixes"] as? [String])?.count ?? 0
        #expect((300...360).contains(dark), "\(dark) prefixes")

        // The whole output: one bin per hour that bgpdump shows records in, for each target; every notice
        // naming its target.
        let targetsFile = try Self.targetsFile(targets)
        let r = try Tools.run(
            try Tools.vigil(),
            [
                "replay", "--quiet", "--json", "--bin", "3600", "--full-feed", "100", "--targets", targetsFile,
                "--target", "cloudflare", "--target", "youtube", "--target", "north-korea", file,
            ])
        let objects = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let bins = objects.filter { $0["type"] as? String == "bin" }
        for name in ["cloudflare", "youtube", "north-korea"] {
            let starts = bins.filter { $0["target"] as? String == name }.compactMap { $0["start"] as? String }
            #expect(starts == hours.sorted().map { UTCTime.iso($0) }, "\(name): \(starts)")
        }
        let notices = objects.filter { $0["type"] as? String == "notice" }
        #expect(!notices.isEmpty)
        #expect(notices.allSatisfy { $0["target"] as? String == "cloudflare" })
        #expect(objects.last?["targets"] as? [String] == ["cloudflare", "youtube", "north-korea"])
    }
}
