import ArgumentParser
import BGP
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
        var report = try history.statusReport(now: now)
        let heartbeat = report.heartbeat
        // A running watch reports its store's health beside the store every few seconds, also while the
        // store cannot be written (when its heartbeat in the store goes stale).
        let health = StoreHealthFile(storePath: store).read().flatMap { now - $0.time < 30 ? $0 : nil }
        let running = report.running || health != nil
        report.running = running
        let rule = report.votingRule ?? "unknown (watch has not run)"
        let openGaps = report.openGaps
        let perTarget = report.targets
        if json {
            var object = report.json
            if let h = health, h.failing {
                var failing = JSONObject()
                failing.add("since", h.since.map(UTCTime.iso))
                failing.add("error", h.error)
                failing.add("waiting", h.waiting)
                object = String(object.dropLast()) + ",\"store_failing\":" + failing.closed + "}"
            }
            print(object)
            return
        }
        print(
            "store \(store): watch \(running ? "running" : "not running")"
                + (heartbeat.map { " (last heartbeat \(UTCTime.iso($0)))" } ?? ""))
        // A running watch that cannot write the store says so in the file beside it.
        if let h = health, h.failing {
            print(
                "store FAILING since \(h.since.map(UTCTime.iso) ?? "?"): \(h.error ?? "") (the watch keeps in memory, "
                    + "and retries: \(h.waiting ?? "?"))")
        }
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
