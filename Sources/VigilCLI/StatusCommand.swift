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
        let report = try history.statusReport(now: Date().timeIntervalSince1970)
        let heartbeat = report.heartbeat
        let running = report.running
        let rule = report.votingRule ?? "unknown (watch has not run)"
        let openGaps = report.openGaps
        let perTarget = report.targets
        if json {
            print(report.json)
            return
        }
        print(
            "store \(store): watch \(running ? "running" : "not running")"
                + (heartbeat.map { " (last heartbeat \(UTCTime.iso($0)))" } ?? ""))
        // A running watch that cannot write the store says so in the file beside it.
        if let h = report.storeHealth, let since = h.failingSince {
            print(
                "store FAILING since \(UTCTime.iso(since)): \(h.error ?? "") (the watch keeps in memory, "
                    + "and retries: \(h.waiting))")
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
