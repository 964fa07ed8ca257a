import BGP
import Foundation
import Testing
import Vigil
import VigilTesting

@testable import VigilReplay

/// Many targets in one pass: a replay of several targets at once must tell each target exactly what a
/// replay of that target alone tells it. The two take different roads (alone, every route goes through
/// the target's own view; together, routes outside every target's space are counted once in a shared
/// tally that each view takes later, and the others go only to the views whose space they touch), so
/// equal bins and events show the shared tally loses nothing: table sizes, votes, visibility, upstream
/// shares and every event, on real files with a RIB and without.
@Suite(.ownThread) struct MultiTargetReplayTests {
    static let countries = ["JP", "AU", "IN", "CN", "KR", "TW", "HK", "SG", "ID", "NZ", "TH", "VN", "KP", "PK", "BD"]

    static func targets() throws -> [Target] {
        let text = try String(
            contentsOfFile: try Fixtures.path("rir/bgp-traceparse__delegated-apnic-latest.20161214"), encoding: .utf8)
        let all = CountryResources.byCountry(delegatedStats: text).countries
        var out = try countries.map { cc in Target(country: try #require(all[cc], "\(cc) in the APNIC file")) }
        // A built-in target with upstreams (their own prefixes are followed wherever they point).
        out.append(Target.northKorea)
        return out
    }

    /// Bins and events per target, in the order reported.
    static func replay(_ replayer: Replayer, _ paths: [String]) -> (
        bins: [String: [SignalBin]], events: [String: [DetectedEvent]], summary: ReplaySummary
    ) {
        var bins: [String: [SignalBin]] = [:]
        var events: [String: [DetectedEvent]] = [:]
        let summary = replayer.run(paths: paths) { item in
            switch item {
            case .bin(let b): bins[b.target, default: []].append(b)
            case .event(var e):
                e.id = 0  // numbered per target alone, in report order together
                events[e.target, default: []].append(e)
            default: break
            }
        }
        return (bins, events, summary)
    }

    static let inputs: [[String]] = [
        // A RIB (the full-feed rule and the RIB's votes), then a later update file of other peers.
        ["mrt/bgpdump__bview.20020722.2337.gz", "mrt/libbgpstream__ris.rrc06.updates.1427846400.gz"],
        ["mrt/bgpdump__updates.20160811.1600.gz"],
        ["mrt/bgpkit__rrc15_updates.20100227.1600.gz"],
        ["mrt/libbgpstream__ris.rrc06.updates.1427846400.gz"],
    ]

    @Test(arguments: inputs)
    func togetherEqualsAlone(files: [String]) throws {
        let paths = try files.map { try Fixtures.path($0) }
        var targets = try Self.targets()
        // The 2002 peers carry about 110,000 routes: let them count as full feeds.
        for i in targets.indices { targets[i].thresholds.fullFeedIPv4 = 50_000 }
        var together = Replayer(targets: targets, binSeconds: 60)
        together.learnsOrigins = true
        let all = Self.replay(together, paths)
        var compared = 0
        var voted = 0
        for target in targets {
            var alone = Replayer(target: target, binSeconds: 60)
            alone.learnsOrigins = target.originsFromRegistry
            let one = Self.replay(alone, paths)
            let a = one.bins[target.name] ?? []
            let b = all.bins[target.name] ?? []
            #expect(a.count == b.count, "\(target.name): \(a.count) bins alone, \(b.count) together")
            for (x, y) in zip(a, b) where x != y {
                Issue.record("\(target.name) bin \(UTCTime.iso(x.start)): alone \(x), together \(y)")
                break
            }
            #expect(
                one.events[target.name] ?? [] == all.events[target.name] ?? [],
                "\(target.name): alone \(one.events[target.name] ?? []), together \(all.events[target.name] ?? [])")
            #expect(one.summary.peers == all.summary.peers)
            compared += a.count
            if a.contains(where: { $0.votingPeers > 0 && !$0.visibility.isEmpty }) { voted += 1 }
        }
        // Not vacuous: bins were compared, and in most targets peers voted on some prefix.
        #expect(compared > 0)
        #expect(voted >= targets.count / 2, "\(voted) of \(targets.count) targets had a voted bin")
    }
}
