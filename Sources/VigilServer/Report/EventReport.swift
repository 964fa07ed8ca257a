import BGP
import Foundation
import Vigil
import VigilStore

/// What `vigil report` publishes about one event (or a target's time range): the facts, read from the
/// store alone, and their forms: a self-contained HTML page, a standalone SVG timeline (and its PNG), a
/// Markdown text and a JSON object, all saying the same things.
public struct EventReport: Sendable {
    /// The event reported (nil for a range without one).
    public var event: DetectedEvent?
    /// The other events of the range (a range report).
    public var events: [DetectedEvent]
    public var target: String
    /// The target as people call it ("North Korea"), from its description in the store.
    public var name: String
    public var from: Double
    public var to: Double
    public var bins: [SignalBin]
    public var gaps: [FeedGap]
    public var probes: [StoredProbeBin]
    public var upstreamNames: [UInt32: String]
    /// Where the data came from (collectors and files, or API calls) and the command that reproduces it,
    /// as the replay or the watch that wrote the store noted them.
    public var sources: [String]
    public var command: String?

    /// Why a report cannot be made.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The report of event `id`: the event with the time around it that its page shows.
    public static func event(_ id: Int, store: History, now: Double) throws -> EventReport {
        guard let e = try store.event(id: id) else {
            throw Failure(description: "no event \(id) in \(store.path)")
        }
        let (from, to) = Charts.window(around: e, now: now)
        return try make(target: e.target, from: from, to: to, event: e, events: [e], store: store)
    }

    /// The report of `target` over `[from, to)`: its worst event there (the longest of the most severe)
    /// as the headline, every event on the timeline.
    public static func range(target: String, from: Double, to: Double, store: History) throws -> EventReport {
        guard try store.targets().contains(where: { $0.name == target }) else {
            throw Failure(description: "no target \(target) in \(store.path)")
        }
        let events = try store.events(target: target, since: from, until: to).filter { $0.start < to }
        let worst = events.max { ($0.severity, ($0.end ?? to) - $0.start) < ($1.severity, ($1.end ?? to) - $1.start) }
        return try make(target: target, from: from, to: to, event: worst, events: events, store: store)
    }

    static func make(
        target: String, from: Double, to: Double, event: DetectedEvent?, events: [DetectedEvent], store: History
    ) throws -> EventReport {
        let bin = Charts.bin(span: to - from)
        let description = try store.targets().first { $0.name == target }?.description ?? ""
        // What `vigil replay --store` noted (`ReplayRecorder.note`).
        let sources = try store.setting(ReplayRecorder.sourcesKey(target)).map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String]) ?? []
        }
        return EventReport(
            event: event, events: events, target: target, name: Self.name(target: target, description: description),
            from: from, to: to, bins: try store.signalBins(target: target, from: from, to: to, bin: bin),
            gaps: try store.feedGaps(from: from, to: to),
            probes: try store.probeBins(target: target, from: from, to: to, bin: bin),
            upstreamNames: try store.upstreamNames(target: target), sources: sources ?? [],
            command: try store.setting(ReplayRecorder.commandKey(target)))
    }

    /// "North Korea" from "North Korea (KP): AS131279, …"; the target's name when it has no description.
    static func name(target: String, description: String) -> String {
        let head = description.split(whereSeparator: { $0 == "(" || $0 == ":" || $0 == "," }).first
        let trimmed = head.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return trimmed.isEmpty ? target : trimmed
    }

    /// The headline in words.
    public var headline: String {
        guard let e = event else {
            return
                "No outage, hijack or leak of \(name) was seen between \(UTCTime.iso(from)) and \(UTCTime.iso(to))."
        }
        return e.headline(name: name, upstreamNames: upstreamNames)
    }
}
