import BGP
import Foundation
import Testing
import VigilTesting

/// `vigil dump` as a user runs it: options, filters, JSON, standard input, exit codes and bad input.
@Suite(.ownThread) struct DumpCommandTests {
    static let updates = "mrt/bgpdump__updates.20160811.1600.gz"

    func vigil(_ args: [String], input: Data? = nil) throws -> Tools.Result {
        try Tools.run(try Tools.vigil(), args, input: input)
    }

    func bgpdumpLines(_ relative: String) throws -> [[Substring]] {
        try Tools.bgpdump(["-m", try Fixtures.path(relative)]).lines.map {
            $0.split(separator: "|", omittingEmptySubsequences: false)
        }
    }

    @Test func readsStandardInput() throws {
        let path = try Fixtures.path(DumpCommandTests.updates)
        let fromFile = try vigil(["dump", "-m", path])
        let fromStdin = try vigil(["dump", "-m", "-"], input: try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(fromStdin.status == 0)
        #expect(fromStdin.stdout == fromFile.stdout)
    }

    @Test func concatenatesSeveralFiles() throws {
        let a = try Fixtures.path("mrt/bgpdump__updates.20020722.2238.gz")
        let b = try Fixtures.path("mrt/mrtparse__quagga_rib")
        let both = try vigil(["dump", "-m", a, b])
        let expected = try Tools.bgpdump(["-m", a]).stdout + (try Tools.bgpdump(["-m", b]).stdout)
        #expect(both.stdout == expected)
    }

    @Test func countsElements() throws {
        let path = try Fixtures.path(DumpCommandTests.updates)
        let result = try vigil(["dump", "--count", path])
        #expect(result.output == "\(try bgpdumpLines(DumpCommandTests.updates).count)\n")
    }

    /// Each JSON object describes the same element as the bgpdump line in the same position.
    @Test func jsonAgreesWithBgpdump() throws {
        let path = try Fixtures.path(DumpCommandTests.updates)
        let result = try vigil(["dump", "--json", path])
        #expect(result.status == 0)
        let reference = try bgpdumpLines(DumpCommandTests.updates)
        #expect(result.lines.count == reference.count)
        for (line, ref) in zip(result.lines, reference) {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["type"] as? String == String(ref[2]))
            #expect(object["timestamp"] as? Double == Double(ref[1]))
            #expect((object["peer_ip"] as? String).flatMap(IPAddress.init) == IPAddress(String(ref[3])))
            #expect(object["peer_asn"] as? Int == Int(ref[4]))
            if ref[2] == "STATE" { continue }
            #expect((object["prefix"] as? String).flatMap(IPPrefix.init) == IPPrefix(String(ref[5])))
            if ref[2] == "A" {
                #expect(object["as_path"] as? String == String(ref[6]))
                #expect(object["origin"] as? String == String(ref[7]))
                #expect((object["next_hop"] as? String).flatMap(IPAddress.init) == IPAddress(String(ref[8])))
                #expect((object["communities"] as? [String])?.joined(separator: " ") == String(ref[11]))
                #expect(object["atomic"] as? Bool == (ref[12] == "AG"))
            }
        }
    }

    /// Filters against bgpdump's output filtered with plain string operations.
    @Test func filtersMatchBgpdump() throws {
        let path = try Fixtures.path(DumpCommandTests.updates)
        let reference = try bgpdumpLines(DumpCommandTests.updates)
        func ours(_ args: [String]) throws -> [Substring] {
            let result = try vigil(["dump", "-m"] + args + [path])
            #expect(result.status == 0, "\(result.errors)")
            return result.lines
        }
        func joined(_ lines: [[Substring]]) -> [Substring] {
            lines.map { Substring($0.joined(separator: "|")) }
        }
        // Every prefix inside 185.0.0.0/8 is written "185.x.y.z/len" with len >= 8.
        let in185 = reference.filter { $0.count > 5 && $0[5].hasPrefix("185.") }
        #expect(!in185.isEmpty)
        #expect(try ours(["--prefix", "185.0.0.0/8", "--more-specific"]) == joined(in185))
        let one = in185[0][5]
        #expect(try ours(["--prefix", String(one)]) == joined(reference.filter { $0.count > 5 && $0[5] == one }))
        let withdrawals = reference.filter { $0[2] == "W" }
        #expect(try ours(["--type", "W"]) == joined(withdrawals))
        let peer = reference[0][3]
        #expect(
            try ours(["--peer", String(peer), "--type", "A,W"])
                == joined(reference.filter { $0[3] == peer && $0[2] != "STATE" }))
        // Origin: the last AS of the path field (paths here have no AS_SET at the end).
        let byOrigin = reference.filter { $0[2] == "A" && $0[6].split(separator: " ").last == "3356" }
        #expect(!byOrigin.isEmpty)
        #expect(try ours(["--origin", "AS3356"]) == joined(byOrigin))
    }

    @Test func lessSpecificFindsCoveringRoutes() throws {
        let relative = "mrt/pyasn__rib.20140523.0600_firstMB.bz2"
        let reference = try bgpdumpLines(relative)
        // 1.0.129.0/24 is covered by itself and by 1.0.128.0/17, /18, /19 (and 0.0.0.0/0): computed here by hand
        // as (address >> (32 - len)) equality on the integer form.
        func value(_ dotted: Substring) -> UInt32 {
            dotted.split(separator: ".").reduce(0) { $0 << 8 | UInt32($1)! }
        }
        let target = value("1.0.129.0")
        let covering = reference.filter { f in
            let parts = f[5].split(separator: "/")
            guard let len = UInt32(parts[1]), !parts[0].contains(":") else { return false }
            return len <= 24 && (len == 0 || value(parts[0]) >> (32 - len) == target >> (32 - len))
        }
        let result = try Tools.run(
            try Tools.vigil(),
            ["dump", "-m", "--prefix", "1.0.129.0/24", "--less-specific", try Fixtures.path(relative)])
        #expect(result.lines == covering.map { Substring($0.joined(separator: "|")) })
        #expect(
            Set(covering.map { $0[5] }) == [
                "0.0.0.0/0", "1.0.128.0/17", "1.0.128.0/18", "1.0.128.0/19", "1.0.129.0/24",
            ])
    }

    @Test func missingAndUnreadableInputsFail() throws {
        let missing = try vigil(["dump", "-m", "/nonexistent/file.gz"])
        #expect(missing.status == 1)
        #expect(missing.errors.contains("cannot open /nonexistent/file.gz"))
        let directory = try vigil(["dump", "-m", "/tmp"])
        #expect(directory.status == 1)
        #expect(directory.errors.contains("directory"))
    }

    @Test func garbageAndEmptyInputsReportAndFail() throws {
        let empty = try vigil(["dump", "-m", "-"], input: Data())
        #expect(empty.status == 1)
        #expect(empty.errors.contains("0 records read"))
        let garbage = try vigil(
            ["dump", "-m", "-"], input: Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
        #expect(garbage.status == 1)
        #expect(garbage.errors.contains("bytes skipped"))
        #expect(garbage.stdout.isEmpty)
    }

    /// A download cut in half: exit 0, a warning with the offset, and every line printed is a line of
    /// the full file, in order.
    @Test func truncatedDownloadKeepsWhatItHas() throws {
        let path = try Fixtures.path("mrt/bgpdump__updates.20070211.0141.gz")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let half = try vigil(["dump", "-m", "-"], input: bytes.prefix(bytes.count / 2))
        #expect(half.status == 0)
        #expect(half.errors.contains("gzip stream is truncated"))
        #expect(half.errors.contains("offset"))
        let full = try Tools.bgpdump(["-m", path]).lines
        #expect(half.lines.count > full.count / 4)
        #expect(Array(full.prefix(half.lines.count)) == half.lines)
    }

    @Test func badOptionsAreExplained() throws {
        let prefix = try vigil(["dump", "--prefix", "175.45.176/22", "x"])
        #expect(prefix.status != 0)
        #expect(prefix.errors.contains("is not a prefix"))
        let mode = try vigil(["dump", "-m", "--json", "x"])
        #expect(mode.status != 0)
        #expect(mode.errors.contains("choose one of"))
        let type = try vigil(["dump", "--type", "Q", "x"])
        #expect(type.errors.contains("not one of A, W, B, STATE"))
        let help = try vigil(["dump", "--help"])
        #expect(help.output.contains("--more-specific"))
    }

    @Test func quietKeepsOnlyTheSummary() throws {
        let path = try Fixtures.path("mrt/bgpkit__rrc00_updates.20000325.0345.gz")
        let quiet = try vigil(["dump", "-m", "--quiet", path])
        #expect(!quiet.errors.contains("warning:"))
        #expect(quiet.errors.contains("2 resynchronisations"))
    }
}
