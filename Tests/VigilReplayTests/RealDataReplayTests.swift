import BGP
import Foundation
import Testing
import Vigil
import VigilTesting

@testable import VigilReplay

/// No false alarms from ordinary churn: every real update file in ../shared/data/real/mrt, replayed for a
/// target made of prefixes that stay announced throughout it, produces no outage. Which prefixes stay
/// announced is read from Debian's bgpdump, not from Vigil: announced by at least two peers, and no
/// withdrawal in the file touches them (neither they nor anything inside or around them). Replaying an
/// update file without a RIB, a peer speaks for a prefix once it has shown a route to it.
@Suite(.ownThread) struct RealDataReplayTests {
    static let updateFiles: [String] =
        (try? Fixtures.mrtFiles())?.filter {
            $0.contains("updates") || $0.contains("_bgp") || $0.hasSuffix("update.bz2")
        } ?? []

    static func stablePrefixes(_ path: String) throws -> [IPPrefix] {
        let result = try Tools.bgpdump(["-m", path])
        var announcedBy: [String: Set<Substring>] = [:]
        var withdrawn: [IPPrefix] = []
        var legacyLengths: Set<UInt8> = []
        for line in result.lines {
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            guard f.count >= 6 else { continue }
            if f[2] == "A" { announcedBy[String(f[5]), default: []].insert(f[3]) }
            guard f[2] == "W", let p = IPPrefix(String(f[5])) else { continue }
            // bgpdump prints the peer's address instead of the prefix's in withdrawals of the deprecated
            // type 5 records (ConformanceTests' legacyWithdrawalAddress), and mrtparse cannot read them:
            // only the length is known, so every candidate of that length is left out.
            if f[0] == "BGP" { legacyLengths.insert(p.length) } else { withdrawn.append(p) }
        }
        let candidates = announcedBy.filter { $0.value.count >= 2 }.keys.sorted().compactMap { IPPrefix($0) }
        return Array(
            candidates.filter { c in !legacyLengths.contains(c.length) && !withdrawn.contains { $0.overlaps(c) } }
                .prefix(200))
    }

    @Test(arguments: updateFiles)
    func ordinaryChurnIsNoOutage(file: String) throws {
        let path = try Fixtures.path("mrt/\(file)")
        let prefixes = try Self.stablePrefixes(path)
        guard !prefixes.isEmpty else { return }  // nothing stays announced by two peers in this file
        let target = Target(name: "stable", originASNs: [], prefixes: prefixes)
        var events: [DetectedEvent] = []
        _ = Replayer(target: target, binSeconds: 0).run(paths: [path]) { output in
            if case .event(let e) = output { events.append(e) }
        }
        let outages = events.filter { $0.cause != .feedProblem }
        #expect(outages.isEmpty, "\(file): \(outages.map { "\($0.cause) \($0.prefixes.prefix(3))" })")
    }
}

extension RealDataReplayTests {
    /// The test above is not vacuous: most real update files yield a target to replay.
    @Test func mostFilesYieldAStableTarget() throws {
        let nonEmpty = try Self.updateFiles.filter {
            !(try Self.stablePrefixes(try Fixtures.path("mrt/\($0)"))).isEmpty
        }
        #expect(nonEmpty.count >= 8, "\(nonEmpty)")
    }
}

/// The issue 15 suite: ordinary days on the real Internet raise nothing at a country's scale. Every real
/// update file in ../shared/data/real/mrt, replayed for every country of the real APNIC delegated file
/// (as `vigil replay --country CC ... --delegated FILE` does, all in one pass), raises no event: no hijack from space that
/// providers and multinationals announce for a country, no outage from one prefix of thousands.
@Suite(.ownThread) struct CountryQuietTests {
    @Test("every real update file, every APNIC country: no event")
    func noEventOnOrdinaryDays() throws {
        let delegated = try Fixtures.path("rir/bgp-traceparse__delegated-apnic-latest.20161214")
        let text = try String(contentsOfFile: delegated, encoding: .utf8)
        // The countries the file delegates to, read from its lines (registry|cc|type|...).
        let countries = Set(
            text.split(separator: "\n").compactMap { line -> String? in
                let f = line.split(separator: "|", omittingEmptySubsequences: false)
                guard f.count >= 7, f[0] == "apnic", f[1].count == 2, f[1] != "AP" else { return nil }
                return String(f[1])
            }
        ).sorted()
        #expect(countries.count >= 60, "\(countries.count) countries")
        let targets = countries.map { Target(country: CountryResources(country: $0, delegatedStats: text)) }
        let files = RealDataReplayTests.updateFiles
        #expect(files.count >= 20)
        var raised: [String] = []
        for file in files {
            let path = try Fixtures.path("mrt/\(file)")
            // Every country in one pass, as `vigil replay --country A --country B ...` does.
            var replayer = Replayer(targets: targets, binSeconds: 0)
            replayer.learnsOrigins = true
            let summary = replayer.run(paths: [path]) { item in
                if case .event(let e) = item {
                    raised.append(
                        "\((file as NSString).lastPathComponent) \(e.target): \(e.cause.rawValue) "
                            + "\(e.prefixes.prefix(3)) \(e.evidence.first ?? "")")
                }
            }
            // Not vacuous: the file was read.
            #expect(summary.failedInputs.isEmpty && summary.updateElements > 0, "\(file)")
        }
        #expect(raised.isEmpty, "\(raised.count) events:\n\(raised.prefix(20).joined(separator: "\n"))")
    }
}
