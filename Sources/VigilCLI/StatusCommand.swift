import ArgumentParser
import Foundation
import Vigil
import VigilStore

/// `vigil status`: what a store says about now.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the watched targets' state now: open events, last signals, feed gaps, voting rule.",
        discussion: "Reads the store that `vigil watch` writes; works while watch runs and after it stopped."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Flag(name: .long, help: "One JSON object.")
    var json = false

    func run() throws {
        let store = storeOptions.store
        let history = try storeOptions.openExisting()
        let now = Date().timeIntervalSince1970
        let heartbeat = try history.setting("heartbeat").flatMap(Double.init)
        let stopped = try history.setting("stopped").flatMap(Double.init)
        let running = heartbeat.map { now - $0 < 30 && (stopped ?? 0) < $0 } ?? false
        let rule = try history.setting("voting_rule") ?? "unknown (watch has not run)"
        let counters = try history.setting("counters") ?? "{}"
        let targets = try history.targets()
        let openGaps = try history.feedGaps(from: now).filter { $0.end == nil }
        var perTarget: [(name: String, state: String, open: [DetectedEvent], last: StoredSignals?)] = []
        for t in targets {
            let open = try history.events(target: t.name, open: true)
            let last = try history.signals(target: t.name, from: now - 86400, to: now + 86400).last
            let state = VigilStore.state(openEvents: open, lastBin: last, feedGap: !openGaps.isEmpty)
            perTarget.append((t.name, state, open, last))
        }
        if json {
            var o = JSONObject()
            o.add("store", store)
            o.add("running", running ? "yes" : "no")
            o.add("heartbeat", heartbeat.map { UTCTime.iso($0) })
            o.add("voting_rule", rule)
            o.add("counters", raw: counters)
            o.add("open_feed_gaps", openGaps.map { "\($0.source) since \(UTCTime.iso($0.start)): \($0.reason)" })
            var list: [String] = []
            for t in perTarget {
                var j = JSONObject()
                j.add("target", t.name)
                j.add("state", t.state)
                j.add("open_events", t.open.map(\.id))
                if let s = t.last {
                    j.add("prefixes_up", s.prefixesUp)
                    j.add("prefixes", s.prefixes)
                    j.add("voting_peers", s.votingPeers)
                    j.add("last_bin", UTCTime.iso(s.start))
                }
                list.append(j.closed)
            }
            o.add("targets", raw: "[" + list.joined(separator: ",") + "]")
            print(o.closed)
            return
        }
        print(
            "store \(store): watch \(running ? "running" : "not running")"
                + (heartbeat.map { " (last heartbeat \(UTCTime.iso($0)))" } ?? ""))
        print("voting rule: \(rule)")
        for gap in openGaps { print("feed gap: \(gap.source) since \(UTCTime.iso(gap.start)): \(gap.reason)") }
        if perTarget.isEmpty { print("no targets yet") }
        for t in perTarget {
            var line = "\(t.name): \(t.state)"
            if let s = t.last {
                line +=
                    "; \(s.prefixesUp)/\(s.prefixes) prefixes up, \(s.votingPeers) peers voting at \(UTCTime.iso(s.start + s.seconds))"
            }
            print(line)
            for e in t.open {
                print(
                    "  open event \(e.id): \(e.cause.rawValue) since \(UTCTime.iso(e.start)), \(e.prefixes.count) prefixes"
                )
            }
        }
    }
}
