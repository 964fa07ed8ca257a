import ArgumentParser
import BGP
import Foundation
import Vigil
import VigilStore

/// `vigil events`: the events kept in a store.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List the events kept in a store, newest first.",
        discussion: """
            With --json, one object per line, the same objects as `vigil replay --json`: {"type":"event", "id", \
            "target", "cause", "confidence", "start", "end", "prefixes", "upstreams", "origins", "severity", \
            "evidence"}; "end" is null while the event is open.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "Only this target's events.")
    var target: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Only events still going on at or after this time (ISO 8601 UTC).", valueName: "time"))
    var since: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Only events with this cause (origin-side, upstream-loss, ...).", valueName: "cause"))
    var cause: String?

    @Flag(name: .long, help: "Only events still open.")
    var open = false

    @Option(name: .long, help: "At most this many events.")
    var limit = 100

    @Flag(name: .long, help: "One JSON object per line.")
    var json = false

    func validate() throws {
        if let since, UTCTime.parse(since) == nil {
            throw ValidationError("--since takes an ISO 8601 UTC time such as 2025-06-06T17:30:00Z, not \(since)")
        }
        if let cause, Cause(rawValue: cause) == nil {
            throw ValidationError(
                "unknown cause \(cause); one of \(Cause.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let history = try storeOptions.openExisting()
        let events = try history.events(
            target: target, since: since.flatMap(UTCTime.parse), cause: cause.flatMap(Cause.init),
            open: open ? true : nil,
            limit: limit)
        if json {
            for e in events { print(e.jsonLine) }
            return
        }
        if events.isEmpty { print("no events") }
        let known = Dictionary(Target.builtIn.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for e in events {
            let t = known[e.target] ?? Target(name: e.target, originASNs: [], prefixes: [], upstreams: [:])
            print(e.text(target: t))
        }
    }
}
