import BGP
import Testing
import VigilTesting

@testable import Vigil

@Suite(.ownThread) struct TargetFileTests {
    @Test func readsTheDocumentedExample() throws {
        let text = """
            # Comments start with '#'.
            [target.example-isp]
            summary = "Example ISP # not a comment"
            origins = [64500, "AS64501"]   # two origins
            prefixes = [
              "192.0.2.0/24",
              "2001:db8::/32",
            ]
            upstreams = [64510]
            probes = ["ns1.example.net:53"]
            visible_fraction = 0.6
            full_feed_ipv4 = 1_000

            [target.second]
            prefixes = ["198.51.100.0/24"]
            """
        let targets = try TargetFile.parse(text)
        #expect(targets.map(\.name) == ["example-isp", "second"])
        let t = targets[0]
        #expect(t.summary == "Example ISP # not a comment")
        #expect(t.originASNs == [64500, 64501])
        #expect(t.prefixes == [IPPrefix("192.0.2.0/24")!, IPPrefix("2001:db8::/32")!])
        #expect(t.upstreams.keys.sorted() == [64510])
        #expect(t.probeHosts == ["ns1.example.net:53"])
        #expect(t.thresholds.visibleFraction == 0.6)
        #expect(t.thresholds.fullFeedIPv4 == 1000)
        #expect(targets[1].thresholds == Thresholds())
    }

    @Test("probe hosts and their schedule: names mean TCP, URLs stay as written")
    func probeSchedule() throws {
        let text = """
            [target.lab]
            prefixes = ["192.0.2.0/24"]
            probes = ["ns1.example.net:53", "www.example.net", "icmp://198.18.1.2", "dns://ns1.example.net/example.net"]
            probe_interval_seconds = 30
            probe_jitter = 0.25
            probe_timeout_seconds = 2.5
            probe_retries = 0
            """
        let t = try #require(try TargetFile.parse(text).first)
        #expect(
            t.probeURLs == [
                "tcp://ns1.example.net:53", "tcp://www.example.net:80", "icmp://198.18.1.2",
                "dns://ns1.example.net/example.net",
            ])
        #expect(t.probeSchedule.interval == 30)
        #expect(t.probeSchedule.jitter == 0.25)
        #expect(t.probeSchedule.timeout == 2.5)
        #expect(t.probeSchedule.retries == 0)
        // Jitter 0.25 of 30 s: from 22.5 s (draw 0) to 37.5 s (draw 1).
        #expect(t.probeSchedule.delay(draw: 0) == 22.5)
        #expect(t.probeSchedule.delay(draw: 0.5) == 30)
        #expect(t.probeSchedule.delay(draw: 1) == 37.5)
        #expect(Target.northKorea.probeSchedule.interval == 60)
        #expect(throws: TargetFileError.self) {
            try TargetFile.parse("[target.a]\nprefixes = [\"192.0.2.0/24\"]\nprobe_interval_seconds = 0.1")
        }
        #expect(throws: TargetFileError.self) {
            try TargetFile.parse("[target.a]\nprefixes = [\"192.0.2.0/24\"]\nprobe_jitter = 0.9")
        }
    }

    @Test(arguments: [
        ("[target.a]\nprefixes = [\"192.0.2.0/33\"]", 2, "not a prefix"),
        ("prefixes = [\"192.0.2.0/24\"]", 1, "before any [target.NAME]"),
        ("[target.a]\nprefixes = [\"192.0.2.0/24\"]\ncolour = \"red\"", 3, "unknown key"),
        ("[target.a]\norigins = [1, 2", 2, "never closed"),
        ("[target.a]\nprefixes = [\"192.0.2.0/24\"]\n[target.a]\nprefixes = [\"192.0.2.0/24\"]", 3, "defined twice"),
        ("[target.a]\nsummary = \"x\"", 1, "has no prefixes"),
        ("[target.a]\nvisible_fraction = 2\nprefixes = [\"192.0.2.0/24\"]", 2, "expected a number in"),
        ("[zone.a]", 1, "expected a [target.NAME] header"),
    ])
    func badFilesNameTheLine(text: String, line: Int, message: String) {
        do {
            _ = try TargetFile.parse(text, name: "t.toml")
            Issue.record("parsed without error")
        } catch {
            #expect(error.line == line)
            #expect(error.description.contains(message), "\(error)")
            #expect(error.description.hasPrefix("t.toml:\(line): "))
        }
    }

    @Test func trackedPrefixesAreTheMostSpecificOnes() {
        // The /22 only covers the four /24s, so the /24s are tracked one by one.
        #expect(
            Target.northKorea.trackedPrefixes.map(\.description) == [
                "175.45.176.0/24", "175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24",
            ])
    }
}

/// What the security review found in targets files.
@Suite(.ownThread) struct TargetFileHardeningTests {
    @Test("upstreams given by number have no name, and are printed once (not 'AS4837 AS4837')")
    func upstreamNames() throws {
        let t = try TargetFile.parse("[target.x]\nprefixes = [\"192.0.2.0/24\"]\nupstreams = [4837]\n")[0]
        #expect(t.upstreams.keys.sorted() == [4837])
        #expect(t.upstreamName(4837) == nil)
        #expect(Target.builtIn.first { $0.name == "north-korea" }?.upstreamName(4837) != nil)
    }

    @Test("probe URLs are judged when the file is read, at the line of `probes`")
    func probesChecked() {
        let text = "[target.x]\nprefixes = [\"192.0.2.0/24\"]\n\nprobes = [\"ok.example:53\", \"gopher://x\"]\n"
        let check: (String) -> String? = { $0.hasPrefix("gopher") ? "unknown scheme" : nil }
        #expect(throws: TargetFileError.self) { try TargetFile.parse(text, checkProbe: check) }
        do {
            _ = try TargetFile.parse(text, name: "f", checkProbe: check)
        } catch {
            #expect(error.description == "f:4: probes: gopher://x: unknown scheme")
        }
        // The checker sees the URL each entry stands for.
        var seen: [String] = []
        let good = "[target.x]\nprefixes = [\"192.0.2.0/24\"]\nprobes = [\"ok.example:53\"]\n"
        _ = try? TargetFile.parse(good) { url in
            seen.append(url)
            return nil
        }
        #expect(seen == ["tcp://ok.example:53"])
    }

    @Test("deeply nested arrays are an error at their line, not a stack overflow")
    func nesting() {
        let deep =
            "[target.x]\nprefixes = " + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        do {
            _ = try TargetFile.parse(deep, name: "f")
            Issue.record("parsed")
        } catch {
            #expect(error.description == "f:2: arrays nest more than 4 deep")
        }
        #expect(throws: TargetFileError.self) {
            try TargetFile.parse("[target.x]\nprefixes = [\"192.0.2.0/24\"]\nflap_count = 1e999\n")
        }
        #expect(throws: TargetFileError.self) {
            try TargetFile.parse("[target.x]\nprefixes = [\"192.0.2.0/24\"]\nprobe_retries = nan\n")
        }
    }
}
