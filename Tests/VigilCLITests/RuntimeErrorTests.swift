import Foundation
import Testing
import VigilTesting

/// A failure while running (a missing store, an unreadable file) is one clear line naming what failed and
/// a non-zero exit, never the usage text that belongs to a mistyped argument.
@Suite(.ownThread) struct RuntimeErrorTests {
    static func check(_ arguments: [String], says expected: String) throws {
        let r = try Tools.run(try Tools.vigil(), arguments)
        let text = String(decoding: r.stderr, as: UTF8.self)
        #expect(r.status != 0, "\(arguments)")
        #expect(text.contains(expected), "\(arguments): \(text)")
        #expect(!text.contains("Usage:") && !text.contains("--help"), "\(arguments): \(text)")
        #expect(text.split(separator: "\n").count == 1, "\(arguments): \(text)")
    }

    @Test("runtime failures print one line naming the file or store, without usage")
    func oneLine() throws {
        let missing = "/nonexistent-\(UUID().uuidString)"
        try Self.check(
            ["events", "--store", missing + "/history.sqlite"], says: "no store at \(missing)/history.sqlite")
        try Self.check(
            ["status", "--store", missing + "/history.sqlite"], says: "no store at \(missing)/history.sqlite")
        try Self.check(
            ["replay", "--as-relationships", missing + ".txt", missing + ".mrt"], says: "cannot read --as-relationships"
        )
        try Self.check(["replay", "--targets", missing + ".toml", missing + ".mrt"], says: "cannot read targets file")
        try Self.check(
            ["replay", "--country", "KP", "--delegated", missing + ".txt", missing + ".mrt"],
            says: "cannot read delegated-stats file")
    }

    @Test("several targets: targets lists them, a name given twice and an unknown name are refused")
    func namingTargets() throws {
        let delegated = try Fixtures.path("rir/bgp-traceparse__delegated-apnic-latest.20161214")
        let vigil = try Tools.vigil()
        // The file's own lines: KP holds 175.45.176.0/22, and KR's first IPv4 block is 1.11.0.0/16.
        let listed = try Tools.run(vigil, ["targets", "--country", "KP", "--country", "kr", "--delegated", delegated])
        let text = String(decoding: listed.stdout, as: UTF8.self)
        #expect(listed.status == 0)
        #expect(text.contains("country-kp: Country KP: 1 ASes, 1 prefixes"), "\(text)")
        #expect(text.contains("country-kr: Country KR:") && text.contains("1.11.0.0/16"), "\(text)")
        let twice = try Tools.run(
            vigil, ["replay", "--country", "KP", "--country", "kp", "--delegated", delegated, "x.mrt"])
        #expect(twice.status != 0)
        #expect(String(decoding: twice.stderr, as: UTF8.self).contains("KP is given twice"))
        let unknown = try Tools.run(vigil, ["replay", "--target", "north-korea", "--target", "atlantis", "x.mrt"])
        #expect(String(decoding: unknown.stderr, as: UTF8.self).contains("unknown target atlantis"))
    }

    @Test("a mistyped argument still shows the usage")
    func usageForArguments() throws {
        let r = try Tools.run(try Tools.vigil(), ["replay", "--bin", "-5", "x.mrt"])
        #expect(r.status != 0)
        #expect(String(decoding: r.stderr, as: UTF8.self).contains("Usage:"))
    }
}
