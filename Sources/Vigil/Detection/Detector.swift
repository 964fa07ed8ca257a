import BGP

/// Turns a stream of signals into events: outages of the target (opened when a tracked prefix falls below
/// the visibility threshold, closed when every affected prefix is back), hijacks (foreign origins in the
/// target space) and feed problems (our sessions failing). Times are those of the signals, which are the
/// times of the routing messages that caused them; nothing here reads a wall clock.
public struct Detector: Sendable {
    /// The target.
    public let target: Target
    /// Its thresholds (already scaled for compressed recordings, if needed).
    public let thresholds: Thresholds

    var prefixUp: [IPPrefix: Bool] = [:]
    var outage: OutageRecord?
    /// Open hijacks, one per offending origin (an incident, not a prefix).
    var hijacks: [UInt32: HijackRecord] = [:]
    var feed: FeedRecord?
    var baselineShare: [UInt32: Double] = [:]
    var baselineOwn: [UInt32: Double] = [:]
    var finished: [DetectedEvent] = []
    /// The number the next event gets. Events are numbered when they open, so a live monitor can show and
    /// store an event under the number it keeps to the end; a store sets it past the numbers it holds.
    public var nextID = 1
    /// Treat a prefix whose earlier state is unknown as up, so that finding it down at the first look opens
    /// an outage (live monitoring: an outage already under way at start-up is reported as ongoing). Replay
    /// leaves it off: its first look is the baseline.
    public var assumesUpAtStart = false

    /// A detector for `target`.
    public init(target: Target, thresholds: Thresholds? = nil) {
        self.target = target
        self.thresholds = thresholds ?? target.thresholds
    }

    /// Feeds the signals read after a change; returns what the timeline should say.
    public mutating func observe(_ s: TargetSignals) -> [TimelineNotice] {
        var notices: [TimelineNotice] = []
        observeFeed(s, &notices)
        observeHijacks(s, &notices)
        observePrefixes(s, &notices)
        tick(now: s.time)
        return notices
    }

    /// Finalizes events that can no longer change by `now` (ended longer ago than the merge window).
    public mutating func tick(now: Double) {
        if let o = outage, let end = o.end, now > end + thresholds.mergeWindow {
            finished.append(o.event(target: target, thresholds: thresholds))
            outage = nil
        }
    }

    /// The events open now, as they would read if the run ended now (`end` nil while ongoing; an outage
    /// whose prefixes are all back shows its end while the merge window may still extend it). Their ids
    /// are those they will finish with.
    public func openEvents() -> [DetectedEvent] {
        var out: [DetectedEvent] = []
        if let o = outage { out.append(o.event(target: target, thresholds: thresholds)) }
        for h in hijacks.values { out.append(h.event(target: target)) }
        if let f = feed { out.append(f.event(target: target)) }
        return out.sorted { $0.id < $1.id }
    }

    /// The upstream shares seen while the target was quiet and healthy: what the next event is measured
    /// against. Live monitoring keeps it in its store, so that an outage resumed after a restart is still
    /// measured against the time before it.
    public var baseline: (share: [UInt32: Double], own: [UInt32: Double]) {
        get { (baselineShare, baselineOwn) }
        set {
            baselineShare = newValue.share
            baselineOwn = newValue.own
        }
    }

    /// Resumes an outage that was open when a previous run stopped: its prefixes count as down since its
    /// start, under the same id, so the next look either continues it or closes it. What the previous run
    /// saw before the restart (the baseline, the order of losses) is gone, so its diagnosis stands unless
    /// the new evidence says more.
    public mutating func resume(_ event: DetectedEvent) {
        var record = OutageRecord(
            id: event.id, start: event.start, baselineShare: baselineShare, baselineOwn: baselineOwn)
        for p in event.prefixes {
            record.down(p, at: event.start)
            prefixUp[p] = false
        }
        record.resumed = event
        outage = record
        nextID = max(nextID, event.id + 1)
    }

    /// Takes the events finalized so far.
    public mutating func drainFinished() -> [DetectedEvent] {
        defer { finished.removeAll() }
        return finished.sorted { $0.start < $1.start }
    }

    /// Ends the run: finalizes everything, ongoing events with `end` nil.
    public mutating func finish() -> [DetectedEvent] {
        if let o = outage {
            finished.append(o.event(target: target, thresholds: thresholds))
            outage = nil
        }
        for h in hijacks.values.sorted(by: { $0.start < $1.start }) { finished.append(h.event(target: target)) }
        hijacks.removeAll()
        if let f = feed {
            finished.append(f.event(target: target))
            feed = nil
        }
        return drainFinished()
    }

    mutating func take() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    // MARK: Feed health

    mutating func observeFeed(_ s: TargetSignals, _ notices: inout [TimelineNotice]) {
        let lost = s.fullFeedPeers - s.votingPeers
        let failing = s.fullFeedPeers >= 2 && Double(lost) >= thresholds.feedLossFraction * Double(s.fullFeedPeers)
        if failing, feed == nil {
            feed = FeedRecord(id: take(), start: s.time, peersBefore: s.fullFeedPeers, lost: lost)
            notices.append(
                TimelineNotice(time: s.time, text: "feed problem: \(lost) of \(s.fullFeedPeers) full-feed peers lost"))
        } else if failing, var f = feed {
            f.lost = max(f.lost, lost)
            feed = f
        } else if var f = feed {
            f.end = s.time
            finished.append(f.event(target: target))
            feed = nil
            notices.append(
                TimelineNotice(
                    time: s.time, text: "feed recovered: \(s.votingPeers) of \(s.fullFeedPeers) peers voting"))
        }
    }

    // MARK: Hijacks

    mutating func observeHijacks(_ s: TargetSignals, _ notices: inout [TimelineNotice]) {
        // One incident per offending origin: every prefix of the target's space it takes while its
        // earlier ones are still out is part of the same event.
        var byOrigin: [UInt32: [(ForeignRoute, [PeerKey])]] = [:]
        for (route, peers) in s.foreign { byOrigin[route.origin, default: []].append((route, peers)) }
        for (origin, routes) in byOrigin {
            let carriers = Set(routes.flatMap(\.1))
            if var h = hijacks[origin] {
                for (route, peers) in routes where h.prefixes[route.prefix] == nil {
                    h.prefixes[route.prefix] = s.time
                    notices.append(Self.notice(route, peers.count, s.time))
                }
                if carriers.count > h.maxPeers {
                    h.maxPeers = carriers.count
                    h.peersUp = s.peersUp
                }
                hijacks[origin] = h
            } else {
                let first = routes.sorted { $0.0.prefix < $1.0.prefix }
                hijacks[origin] = HijackRecord(
                    id: take(), origin: origin, start: s.time,
                    prefixes: Dictionary(uniqueKeysWithValues: first.map { ($0.0.prefix, s.time) }),
                    firstPeers: carriers.sorted(), maxPeers: carriers.count, peersUp: s.peersUp)
                for (route, peers) in first { notices.append(Self.notice(route, peers.count, s.time)) }
            }
        }
        for (origin, h) in hijacks where byOrigin[origin] == nil {
            var done = h
            done.end = s.time
            finished.append(done.event(target: target))
            hijacks[origin] = nil
            notices.append(TimelineNotice(time: s.time, text: "AS\(origin)'s routes into the target's space gone"))
        }
    }

    static func notice(_ route: ForeignRoute, _ peers: Int, _ time: Double) -> TimelineNotice {
        TimelineNotice(
            time: time, text: "\(route.prefix) announced by AS\(route.origin), not an allowed origin (\(peers) peers)")
    }

    // MARK: Outages

    mutating func observePrefixes(_ s: TargetSignals, _ notices: inout [TimelineNotice]) {
        guard s.votingPeers > 0 else { return }  // no view at all: nothing can be said about the target
        for prefix in s.visibility.keys.sorted() {
            // A prefix nobody can speak for is not listed and keeps its state: silence is not a withdrawal.
            guard let visibility = s.visibility[prefix], let voters = s.denominators[prefix] else { continue }
            let up = visibility >= thresholds.visibleFraction
            let was = prefixUp[prefix] ?? (assumesUpAtStart ? true : nil)
            prefixUp[prefix] = up
            guard let was, was != up else { continue }
            let seen = Int((visibility * Double(voters)).rounded())
            if !up {
                notices.append(TimelineNotice(time: s.time, text: "\(prefix) down: seen by \(seen) of \(voters) peers"))
                if outage == nil {
                    outage = OutageRecord(
                        id: take(), start: s.time, baselineShare: baselineShare, baselineOwn: baselineOwn)
                }
                outage?.down(prefix, at: s.time)
            } else if outage != nil {
                notices.append(TimelineNotice(time: s.time, text: "\(prefix) up: seen by \(seen) of \(voters) peers"))
                outage?.up(prefix, at: s.time)
            }
        }
        if outage != nil {
            outage?.track(s, thresholds: thresholds)
        } else if feed == nil {
            // Quiet and healthy: this is the baseline the next event is measured against.
            baselineShare = s.upstreamShare
            baselineOwn = s.upstreamOwn
        }
    }
}

/// A feed problem being tracked.
struct FeedRecord: Sendable {
    var id: Int
    var start: Double
    var end: Double?
    var peersBefore: Int
    var lost: Int

    func event(target: Target) -> DetectedEvent {
        DetectedEvent(
            id: id, target: target.name, cause: .feedProblem, confidence: 0.9, start: start, end: end, prefixes: [],
            upstreams: [], severity: 0,
            evidence: [
                "\(lost) of \(peersBefore) full-feed peers lost their sessions at \(UTCTime.iso(start)); they left the denominator",
                "the remaining peers kept seeing the target, so this is our view failing, not the target",
            ])
    }
}

/// A hijack being tracked: one offending origin and every prefix of the target's space it took.
struct HijackRecord: Sendable {
    var id: Int
    var origin: UInt32
    var start: Double
    var end: Double?
    /// The prefixes taken, with when each was first heard.
    var prefixes: [IPPrefix: Double]
    var firstPeers: [PeerKey]
    /// The most peers that carried any of its routes at once, and the peers up at that moment (its
    /// denominator: a foreign route is only counted on a peer whose session is up, so maxPeers ≤ peersUp).
    var maxPeers: Int
    var peersUp: Int

    /// /24 equivalents of IPv4 prefixes (a /25 is half of one), as IODA counts address space.
    static func slash24s(_ prefixes: [IPPrefix]) -> Double {
        prefixes.filter { $0.address.family == .v4 }.reduce(0) { $0 + pow2(24 - Int($1.length)) }
    }

    static func pow2(_ n: Int) -> Double {
        n >= 0 ? Double(UInt64(1) << UInt64(min(n, 63))) : 1 / Double(UInt64(1) << UInt64(min(-n, 63)))
    }

    func event(target: Target) -> DetectedEvent {
        let allowed = target.originASNs.sorted().map { "AS\($0)" }.joined(separator: ", ")
        let taken = prefixes.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
        let moreSpecific = taken.filter { !target.prefixes.contains($0) }
        var evidence: [String]
        if taken.count == 1, let p = taken.first {
            evidence = [
                "\(p) announced with origin AS\(origin) at \(UTCTime.iso(start)); allowed origins: \(allowed)"
            ]
        } else {
            let space = Self.slash24s(taken)
            let share = space > 0 ? " (\(Self.number(space)) /24 equivalents)" : ""
            evidence = [
                "\(taken.count) prefixes of the target's space\(share) announced with origin AS\(origin) from "
                    + "\(UTCTime.iso(start)): \(Diagnosis.listed(taken.map(\.description), limit: 3)); allowed origins: \(allowed)"
            ]
        }
        evidence.append(
            "carried by up to \(maxPeers) of the \(peersUp) peers up at that moment; first heard from "
                + Diagnosis.listed(firstPeers.map(\.description), limit: 3))
        if !moreSpecific.isEmpty {
            evidence.append(
                moreSpecific.count == 1 && taken.count == 1
                    ? "\(moreSpecific[0]) is more specific than the target's own announcements: it wins wherever it is heard"
                    : "\(moreSpecific.count) of the \(taken.count) are more specific than the target's own announcements: "
                        + "they win wherever they are heard")
        }
        let reach = peersUp > 0 ? min(1, Double(maxPeers) / Double(peersUp)) : 0
        return DetectedEvent(
            id: id, target: target.name, cause: .hijack, confidence: min(0.95, 0.7 + 0.25 * reach), start: start,
            end: end, prefixes: taken.sorted(), upstreams: [], origins: [origin],
            severity: reach * ((end ?? start) - start) / 60, evidence: evidence)
    }

    /// 3, 2.5: no trailing zeros.
    static func number(_ v: Double) -> String { v == v.rounded() ? "\(Int(v))" : "\(v)" }
}
