import BGP
import Foundation
import GRDB
import Vigil

/// One target's state now, as `vigil status`, the API and the overview page say it.
public struct TargetStatus: Sendable {
    /// The target and its one-line description.
    public var name: String
    public var description: String
    /// "up", "partial", "dark" or "feed problem" (see `History.state`).
    public var state: String
    /// Since when the state holds, when known: the first open outage's start, the feed gap's start, or
    /// the end of the last outage.
    public var since: Double?
    /// Its open events.
    public var open: [DetectedEvent]
    /// Its last stored signal bin.
    public var last: SignalBin?
}

/// What a store says now: whether watch runs, its voting rule and counters, open feed gaps, and each
/// target's state.
public struct StatusReport: Sendable {
    /// When the report was made.
    public var time: Double
    /// Watch's last heartbeat, and whether it is recent (watch running).
    public var heartbeat: Double?
    public var running: Bool
    /// What a running watch last said of the store in the file beside it (`StoreHealthFile`): while the
    /// store cannot be written, the heartbeat in it goes stale but this file does not.
    public var storeHealth: StoreHealth?
    /// The voting rule watch uses, when it has run.
    public var votingRule: String?
    /// Watch's ingest counters as a JSON object.
    public var countersJSON: String
    /// Sources without data now.
    public var openGaps: [FeedGap]
    /// Every target.
    public var targets: [TargetStatus]
}

extension History {
    /// A target's state now, as `vigil status` and the API say it: "feed problem" while a source has a gap
    /// or a feed problem is open; otherwise "dark" or "partial" while an outage is open (dark when the last
    /// bin had no prefix up); "up" when none is.
    public static func state(openEvents: [DetectedEvent], lastPrefixesUp: Int?, feedGap: Bool) -> String {
        if feedGap || openEvents.contains(where: { $0.cause == .feedProblem }) { return "feed problem" }
        guard openEvents.contains(where: { Self.isOutage($0) && $0.end == nil }) else { return "up" }
        guard let lastPrefixesUp else { return "partial" }
        return lastPrefixesUp == 0 ? "dark" : "partial"
    }

    /// True for the causes that mean the target lost routes (not a hijack, not our own feed).
    public static func isOutage(_ e: DetectedEvent) -> Bool { e.cause != .hijack && e.cause != .feedProblem }

    /// How recent a heartbeat (or a health report beside the store) must be for the watch to count as running.
    static let liveness = 30.0

    /// The store's status at `now`, read in one transaction (one consistent moment), with the health a
    /// running watch reports beside the store.
    public func statusReport(now: Double) throws(StoreError) -> StatusReport {
        let file = StoreHealthFile(storePath: path).read().flatMap { now - $0.time < Self.liveness ? $0 : nil }
        var report = try read { db in
            let heartbeat = try Self.setting(db, "heartbeat").flatMap(Double.init)
            let stopped = try Self.setting(db, "stopped").flatMap(Double.init)
            let gaps = try Self.feedGaps(db, from: now).filter { $0.end == nil }
            var list: [TargetStatus] = []
            for t in try Self.targets(db) {
                let open = try Self.events(db, target: t.name, open: true)
                let last = try Self.lastSignalBin(db, target: t.name)
                let state = Self.state(openEvents: open, lastPrefixesUp: last?.prefixesUp, feedGap: !gaps.isEmpty)
                var since: Double?
                switch state {
                case "feed problem":
                    since = (gaps.map(\.start) + open.filter { $0.cause == .feedProblem }.map(\.start)).min()
                case "up":
                    since = try Self.lastOutageEnd(db, target: t.name)
                default:
                    since = open.filter(Self.isOutage).map(\.start).min()
                }
                list.append(
                    TargetStatus(
                        name: t.name, description: t.description, state: state, since: since, open: open, last: last))
            }
            // A recent report beside the store says a watch runs (its heartbeat in the store may be stale
            // while the store fails), unless the watch said it stopped after that report.
            let reporting = file.map { (stopped ?? 0) < $0.time } ?? false
            return StatusReport(
                time: now, heartbeat: heartbeat,
                running: heartbeat.map { now - $0 < Self.liveness && (stopped ?? 0) < $0 } ?? false || reporting,
                votingRule: try Self.setting(db, "voting_rule"),
                countersJSON: try Self.setting(db, "counters") ?? "{}", openGaps: gaps, targets: list)
        }
        if let health = file?.health, report.running { report.storeHealth = health }
        return report
    }

    /// A target's newest signal bin.
    public func lastSignalBin(target: String) throws(StoreError) -> SignalBin? {
        try read { db in try Self.lastSignalBin(db, target: target) }
    }

    static func lastSignalBin(_ db: Database, target: String) throws -> SignalBin? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT start AS bin_start, seconds AS bin_seconds, prefixes_up, prefixes, voting_peers, updates,
                        visibility, upstreams, dark_share, origins FROM signals WHERE target = ? ORDER BY start DESC
                        LIMIT 1
                    """), arguments: [target]
        ).map { Self.signalBin($0, target: target, visibility: false) }
    }

    /// When the target's last outage (not a hijack, not a feed problem) ended.
    static func lastOutageEnd(_ db: Database, target: String) throws -> Double? {
        try Double.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT MAX("end") FROM events WHERE target = ? AND state = 'closed'
                        AND cause NOT IN ('hijack', 'feed-problem')
                    """), arguments: [target])
    }
}

extension StatusReport {
    /// The report as one JSON object (`vigil status --json`, `GET /api/v1/status`).
    public var json: String {
        var o = JSONObject()
        o.add("time", UTCTime.iso(time))
        o.add("running", running ? "yes" : "no")
        o.add("heartbeat", heartbeat.map { UTCTime.iso($0) })
        o.add("voting_rule", votingRule)
        o.add("counters", raw: countersJSON)
        o.add("open_feed_gaps", openGaps.map { "\($0.source) since \(UTCTime.iso($0.start)): \($0.reason)" })
        let list = targets.map { t -> String in
            var j = JSONObject()
            j.add("target", t.name)
            j.add("state", t.state)
            j.add("since", t.since.map { UTCTime.iso($0) })
            j.add("open_events", t.open.map(\.id))
            if let s = t.last {
                j.add("prefixes_up", s.prefixesUp)
                j.add("prefixes", s.prefixes)
                j.add("voting_peers", s.votingPeers)
                j.add("last_bin", UTCTime.iso(s.start))
            }
            return j.closed
        }
        o.add("targets", raw: "[" + list.joined(separator: ",") + "]")
        if let h = storeHealth, let since = h.failingSince {
            var failing = JSONObject()
            failing.add("since", UTCTime.iso(since))
            failing.add("error", h.error ?? "")
            failing.add("waiting", h.waiting)
            o.add("store_failing", raw: failing.closed)
        }
        return o.closed
    }
}
