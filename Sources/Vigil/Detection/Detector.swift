import BGP

/// Turns a stream of signals into events, one per incident: outages of the target (opened when the dark
/// share of its address space crosses `Thresholds.outageShare`, closed when it is back near its baseline),
/// hijacks (new origins in space others announced before, one event per offending origin), route leaks
/// (paths crossing a valley, one event per leaking AS) and feed problems (our sessions failing). Times are
/// those of the signals, which are the times of the routing messages that caused them; nothing here reads
/// a wall clock.
public struct Detector: Sendable {
    /// The target.
    public let target: Target
    /// Its thresholds (already scaled for compressed recordings, if needed).
    public let thresholds: Thresholds

    var prefixUp: [IPPrefix: Bool] = [:]
    var outage: OutageRecord?
    /// Open hijacks, one per offending origin (an incident, not a prefix).
    var hijacks: [UInt32: HijackRecord] = [:]
    /// Open route leaks, one per leaking AS.
    var leaks: [UInt32: LeakRecord] = [:]
    /// The target's space as the outage rule weighs it (see `SpaceBaseline`).
    var space = SpaceBaseline()
    /// Per prefix, the upstreams its routes went through when it was last seen up.
    var lastUpstreams: [IPPrefix: [UInt32: Int]] = [:]
    var feed: FeedRecord?
    var baselineShare: [UInt32: Double] = [:]
    var baselineOwn: [UInt32: Double] = [:]
    /// Recent quiet states, oldest first, at most about a tenth of `transient` apart; the time of the one
    /// the baseline was taken from.
    var recentQuiet: [(time: Double, share: [UInt32: Double], own: [UInt32: Double])] = []
    var baselineTime = -Double.infinity
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

    /// The dark share of the target's address space now (0...1), as the outage rule weighs it.
    public var darkShare: Double { space.darkShare }

    /// Feeds the signals read after a change; returns what the timeline should say.
    public mutating func observe(_ s: TargetSignals) -> [TimelineNotice] {
        var notices: [TimelineNotice] = []
        observeFeed(s, &notices)
        observeHijacks(s, &notices)
        observeLeaks(s, &notices)
        observePrefixes(s, &notices)
        tick(now: s.time)
        return notices
    }

    /// Finalizes events that can no longer change by `now` (ended longer ago than the merge window).
    public mutating func tick(now: Double) {
        if var o = outage, let end = o.end, now > end + thresholds.mergeWindow {
            // Prefixes still dark when the target's space is back are recorded in the event, and the
            // baseline moves on without them.
            o.notBack = o.currentlyDown.sorted()
            for p in o.notBack { space.forget(p) }
            finished.append(o.event(target: target, thresholds: thresholds))
            outage = nil
        }
        if outage == nil { space.forgetGone(before: now - thresholds.goneAfter) }
        if !leaks.isEmpty {
            var quiet: [TimelineNotice] = []
            publishLeaks(now: now, &quiet)
        }
    }

    /// The events open now, as they would read if the run ended now (`end` nil while ongoing; an outage
    /// whose prefixes are all back shows its end while the merge window may still extend it). Their ids
    /// are those they will finish with.
    public func openEvents() -> [DetectedEvent] {
        var out: [DetectedEvent] = []
        if let o = outage { out.append(o.event(target: target, thresholds: thresholds)) }
        for h in hijacks.values { out.append(h.event(target: target)) }
        for l in leaks.values where l.id > 0 { out.append(l.event(target: target)) }
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
            space.add(p)
            space.down(p, at: event.start)
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
        for var l in leaks.values.sorted(by: { $0.start < $1.start })
        where l.id > 0 || (l.lastSeen - l.start) >= thresholds.transient {
            if l.id == 0 { l.id = take() }
            finished.append(l.event(target: target))
        }
        leaks.removeAll()
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
        let needed = max(1, min(thresholds.minPeers, s.peersUp))
        for (route, peers) in s.foreign where peers.count >= needed || hijacks[route.origin] != nil {
            byOrigin[route.origin, default: []].append((route, peers))
        }
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
                let holders = Set(first.flatMap { s.holders[$0.0.prefix] ?? [] }).subtracting([origin])
                hijacks[origin] = HijackRecord(
                    id: take(), origin: origin, start: s.time,
                    prefixes: Dictionary(uniqueKeysWithValues: first.map { ($0.0.prefix, s.time) }),
                    firstPeers: carriers.sorted(), maxPeers: carriers.count, peersUp: s.peersUp,
                    holders: holders.sorted())
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

    // MARK: Route leaks

    mutating func observeLeaks(_ s: TargetSignals, _ notices: inout [TimelineNotice]) {
        guard !s.leaks.isEmpty || !leaks.isEmpty else { return }
        // One incident per leaking AS: every prefix of the target whose paths cross it in a valley.
        var byLeaker: [UInt32: [(LeakedRoute, [PeerKey])]] = [:]
        for (route, peers) in s.leaks { byLeaker[route.leak.leaker, default: []].append((route, peers)) }
        let needed = max(1, min(thresholds.minPeers, s.peersUp))
        // A leak of a large target's space counts once it touches enough of it to matter (as outages do).
        let minPrefixes = max(1, Int((thresholds.outageShare * Double(s.trackedCount) / 2).rounded(.up)))
        for (leaker, routes) in byLeaker {
            let carriers = Set(routes.flatMap(\.1))
            let prefixes = Set(routes.map(\.0.prefix))
            if var l = leaks[leaker] {
                l.update(routes, carriers: carriers.count, peersUp: s.peersUp, at: s.time)
                leaks[leaker] = l
            } else if carriers.count >= needed, prefixes.count >= minPrefixes {
                // Held back until it outlasts path hunting (`publishLeaks`): a withdrawal makes routers try
                // every path they know for a few seconds, valleys included.
                var l = LeakRecord(
                    id: 0, leaker: leaker, start: s.time, firstPeers: carriers.sorted(),
                    fromFile: s.relationshipsFromFile)
                l.update(routes, carriers: carriers.count, peersUp: s.peersUp, at: s.time)
                leaks[leaker] = l
            }
        }
        for (leaker, l) in leaks where byLeaker[leaker] == nil {
            leaks[leaker] = nil
            guard l.id > 0 || s.time - l.start >= thresholds.transient else { continue }
            var done = l
            if done.id == 0 { done.id = take() }
            done.end = s.time
            finished.append(done.event(target: target))
            notices.append(TimelineNotice(time: s.time, text: "paths through AS\(leaker)'s leak gone"))
        }
        publishLeaks(now: s.time, &notices)
    }

    /// Publishes the leaks that have lasted longer than the transient: they get their number and a notice.
    mutating func publishLeaks(now: Double, _ notices: inout [TimelineNotice]) {
        for (leaker, l) in leaks where l.id == 0 && now - l.start >= thresholds.transient {
            var published = l
            published.id = take()
            leaks[leaker] = published
            notices.append(
                TimelineNotice(
                    time: now,
                    text: "route leak: AS\(leaker) has passed \(l.prefixes.count) of the target's prefixes on "
                        + "against its relationships since \(UTCTime.iso(l.start)) (\(l.maxPeers) peers)"))
        }
    }

    static func notice(_ route: ForeignRoute, _ peers: Int, _ time: Double) -> TimelineNotice {
        TimelineNotice(
            time: time, text: "\(route.prefix) announced by AS\(route.origin), not an allowed origin (\(peers) peers)")
    }

    // MARK: Outages

    mutating func observePrefixes(_ s: TargetSignals, _ notices: inout [TimelineNotice]) {
        guard s.votingPeers > 0 else { return }  // no view at all: nothing can be said about the target
        space.floor = s.sawRIB ? (0, 0) : s.space
        for (prefix, ups) in s.upstreamsOf where (s.visibility[prefix] ?? 0) >= thresholds.visibleFraction {
            lastUpstreams[prefix] = ups
        }
        for prefix in s.visibility.keys.sorted() {
            // A prefix nobody can speak for is not listed and keeps its state: silence is not a withdrawal.
            guard let visibility = s.visibility[prefix], let voters = s.denominators[prefix] else { continue }
            let up = visibility >= thresholds.visibleFraction
            let known = prefixUp[prefix]
            let was = known ?? (assumesUpAtStart ? true : nil)
            prefixUp[prefix] = up
            let weight = s.weights[prefix] ?? SpaceBaseline.weight(prefix)
            space.reweigh(prefix, weight)
            // Seen up: part of the baseline. Live, a prefix found dark at the first look counts as lost.
            if up { space.add(prefix, weight) }
            if known == nil, !up, assumesUpAtStart { space.add(prefix, weight) }
            guard let was, was != up else { continue }
            let seen = Int((visibility * Double(voters)).rounded())
            if !up {
                space.down(prefix, at: s.time)
                notices.append(TimelineNotice(time: s.time, text: "\(prefix) down: seen by \(seen) of \(voters) peers"))
                outage?.down(prefix, at: s.time, upstreams: lastUpstreams[prefix] ?? [:])
            } else {
                // Back (or seen for the first time since it left the baseline): part of the baseline again.
                space.add(prefix, weight)
                space.up(prefix)
                if outage != nil {
                    notices.append(
                        TimelineNotice(time: s.time, text: "\(prefix) up: seen by \(seen) of \(voters) peers"))
                    outage?.up(prefix, at: s.time)
                }
            }
        }
        let share = space.darkShare
        let opening = max(thresholds.outageShare, 2 * space.quietVariation)
        if outage == nil, share >= opening, share > 0,
            space.darkSince.count >= thresholds.minDarkPrefixes(s.trackedCount)
        {
            // The target's scale is crossed: one event, holding every prefix of the baseline dark now.
            var o = OutageRecord(
                id: take(), start: s.time, baselineShare: baselineShare, baselineOwn: baselineOwn)
            o.openingShare = opening
            for (prefix, since) in space.darkSince.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
                o.down(prefix, at: since, upstreams: lastUpstreams[prefix] ?? [:])
            }
            // It starts when the first of these prefixes went dark, as an analyst dates it.
            o.firstDown = space.darkSince.values.min() ?? s.time
            o.start = o.firstDown
            outage = o
            space.discardPending()
            notices.append(
                TimelineNotice(
                    time: s.time,
                    text: "outage: \(Diagnosis.percent(share)) of the target's address space dark "
                        + "(\(space.darkSince.count) prefixes)"))
        }
        if var o = outage {
            o.track(s, thresholds: thresholds, share: share, weight: space.darkWeight, baseWeight: space.baseWeight)
            // Back near the baseline (under half the opening share) ends it; a new loss within the merge
            // window continues it.
            if share < o.openingShare / 2 {
                if o.end == nil { o.end = s.time }
            } else {
                o.end = nil
            }
            outage = o
        } else if feed == nil {
            // Quiet and healthy: this is the baseline the next event is measured against. It is taken at
            // least `transient` seconds before: the first withdrawals of an event arrive while the target
            // still looks quiet, and a baseline taken among them would already be short of them.
            // (This runs at every quiet observation, once a second of record time: it does the least it can.)
            let entry = (time: s.time, share: s.upstreamShare, own: s.upstreamOwn)
            if let last = recentQuiet.last, s.time - last.time < thresholds.transient / 10 {
                recentQuiet[recentQuiet.count - 1] = entry
            } else {
                recentQuiet.append(entry)
                // The latest quiet state at least `transient` old (the oldest one there is, early in a run).
                let old = recentQuiet.lastIndex { s.time - $0.time >= thresholds.transient } ?? 0
                if old > 0 { recentQuiet.removeFirst(old) }
            }
            if recentQuiet.count == 1 || baselineTime != recentQuiet[0].time {
                baselineShare = recentQuiet[0].share
                baselineOwn = recentQuiet[0].own
                baselineTime = recentQuiet[0].time
            }
            space.quiet(at: s.time, settle: thresholds.mergeWindow)
        }
    }
}

/// The target's address space as the outage rule weighs it: the prefixes seen up (the baseline), each by
/// its size in /24 equivalents (IPv6 by /48 equivalents, judged apart), and which of them are dark since
/// when. The dark share is the larger of the two families' shares.
struct SpaceBaseline: Sendable {
    /// Baseline prefixes and their weights.
    private(set) var members: [IPPrefix: Double] = [:]
    /// Baseline prefixes dark now, since when.
    private(set) var darkSince: [IPPrefix: Double] = [:]
    private var base = (v4: 0.0, v6: 0.0)
    private var dark = (v4: 0.0, v6: 0.0)
    /// The largest dark share seen while quiet, decaying by half every hour: the normal variation.
    private(set) var quietVariation = 0.0
    private var lastQuiet: Double?

    static func weight(_ p: IPPrefix) -> Double { p.family == .v4 ? IPPrefix.slash24s(p) : IPPrefix.slash48s(p) }

    /// The whole space of the target when no RIB was read: then prefixes not yet shown are unknown, and a
    /// share of what happened to be seen would make one prefix of thousands "100%".
    var floor = (v4: 0.0, v6: 0.0)

    mutating func add(_ p: IPPrefix, _ weight: Double? = nil) {
        guard members[p] == nil else { return }
        let w = weight.map { $0 > 0 ? $0 : Self.weight(p) } ?? Self.weight(p)
        members[p] = w
        if p.family == .v4 { base.v4 += w } else { base.v6 += w }
    }

    /// Grows a member's weight when a larger route inside it was seen.
    mutating func reweigh(_ p: IPPrefix, _ weight: Double) {
        guard let w = members[p], weight > w else { return }
        members[p] = weight
        if p.family == .v4 { base.v4 += weight - w } else { base.v6 += weight - w }
        if darkSince[p] != nil {
            if p.family == .v4 { dark.v4 += weight - w } else { dark.v6 += weight - w }
        }
    }

    mutating func down(_ p: IPPrefix, at time: Double) {
        guard let w = members[p], darkSince[p] == nil else { return }
        darkSince[p] = time
        if p.family == .v4 { dark.v4 += w } else { dark.v6 += w }
    }

    mutating func up(_ p: IPPrefix) {
        guard let w = members[p], darkSince.removeValue(forKey: p) != nil else { return }
        if p.family == .v4 { dark.v4 -= w } else { dark.v6 -= w }
    }

    /// Takes a prefix out of the baseline (gone for good).
    mutating func forget(_ p: IPPrefix) {
        up(p)
        guard let w = members.removeValue(forKey: p) else { return }
        if p.family == .v4 { base.v4 -= w } else { base.v6 -= w }
    }

    /// Takes out the prefixes dark since before `time`.
    mutating func forgetGone(before time: Double) {
        guard !darkSince.isEmpty else { return }
        for (p, since) in darkSince where since < time { forget(p) }
    }

    /// The dark share of the space, 0...1.
    var darkShare: Double {
        let b4 = max(base.v4, floor.v4)
        let b6 = max(base.v6, floor.v6)
        return max(b4 > 0 ? dark.v4 / b4 : 0, b6 > 0 ? dark.v6 / b6 : 0)
    }

    /// Dark and baseline /24 equivalents (IPv4), for evidence.
    var darkWeight: Double { dark.v4 }
    var baseWeight: Double { max(base.v4, floor.v4) }

    /// Dark shares seen while quiet and not yet known to have stayed quiet (since when, the largest).
    private var pending: (since: Double, share: Double)?

    /// Notes the dark share of a quiet moment. It counts as normal variation only once the target has
    /// stayed quiet for `settle` seconds after it: the first losses of an outage are not its baseline.
    mutating func quiet(at time: Double, settle: Double) {
        // Nothing dark, nothing pending, no variation to decay: nothing to note (the common case).
        if pending == nil, quietVariation == 0, dark.v4 == 0, dark.v6 == 0 {
            lastQuiet = time
            return
        }
        if let last = lastQuiet, time > last { quietVariation *= pow2(-(time - last) / 3600) }
        lastQuiet = time
        if let p = pending, time - p.since >= settle {
            quietVariation = max(quietVariation, p.share)
            pending = nil
        }
        pending = (pending?.since ?? time, max(pending?.share ?? 0, darkShare))
    }

    /// An event opened: what was pending was its beginning, not the baseline.
    mutating func discardPending() { pending = nil }

    private func pow2(_ x: Double) -> Double {
        // 2^x for x <= 0 without Foundation: halve per whole hour, then a short series for the rest.
        var v = 1.0
        var e = x
        while e <= -1 {
            v /= 2
            e += 1
        }
        let ln2 = 0.6931471805599453 * e
        return v * (1 + ln2 + ln2 * ln2 / 2 + ln2 * ln2 * ln2 / 6)
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
    /// The origins that announced the taken space before (learned from the routes).
    var holders: [UInt32] = []

    /// /24 equivalents of IPv4 prefixes (a /25 is half of one), as IODA counts address space.
    static func slash24s(_ prefixes: [IPPrefix]) -> Double {
        prefixes.filter { $0.address.family == .v4 }.reduce(0) { $0 + IPPrefix.slash24s($1) }
    }

    func event(target: Target) -> DetectedEvent {
        let allowed =
            holders.isEmpty
            ? "the target's origins: \(Diagnosis.listed(target.originASNs.sorted().map { "AS\($0)" }, limit: 5))"
            : "announced before by \(Diagnosis.listed(holders.map { "AS\($0)" }, limit: 5))"
        let taken = prefixes.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
        let moreSpecific = taken.filter { !target.prefixes.contains($0) }
        var evidence: [String]
        if taken.count == 1, let p = taken.first {
            evidence = [
                "\(p) announced with origin AS\(origin) at \(UTCTime.iso(start)); \(allowed)"
            ]
        } else {
            let space = Self.slash24s(taken)
            let share = space > 0 ? " (\(Self.number(space)) /24 equivalents)" : ""
            evidence = [
                "\(taken.count) prefixes of the target's space\(share) announced with origin AS\(origin) from "
                    + "\(UTCTime.iso(start)): \(Diagnosis.prefixNote(taken, limit: 3)); \(allowed)"
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

/// A route leak being tracked: one leaking AS and every prefix of the target whose paths crossed it in a
/// valley.
struct LeakRecord: Sendable {
    var id: Int
    var leaker: UInt32
    var start: Double
    var end: Double?
    var firstPeers: [PeerKey]
    /// Relationships came from a CAIDA file (else inferred from degrees).
    var fromFile: Bool
    /// Prefixes leaked, with when each was first seen through the leak.
    var prefixes: [IPPrefix: Double] = [:]
    /// The ASes it leaked to and learned from, with the relationships, by routes.
    var to: [UInt32: Int] = [:]
    var from: [UInt32: Int] = [:]
    var relations: [String: Int] = [:]
    var maxPeers = 0
    var peersUp = 0
    var maxPrefixes = 0

    /// The last time it was seen.
    var lastSeen = 0.0

    mutating func update(_ routes: [(LeakedRoute, [PeerKey])], carriers: Int, peersUp up: Int, at time: Double) {
        lastSeen = time
        for (route, peers) in routes {
            if prefixes[route.prefix] == nil { prefixes[route.prefix] = time }
            to[route.leak.to, default: 0] += peers.count
            from[route.leak.from, default: 0] += peers.count
            relations[Self.describe(route.leak), default: 0] += peers.count
        }
        maxPrefixes = max(maxPrefixes, Set(routes.map(\.0.prefix)).count)
        if carriers > maxPeers {
            maxPeers = carriers
            peersUp = up
        }
    }

    static func describe(_ l: PathLeak) -> String {
        func role(_ r: ASRelation) -> String {
            switch r {
            case .customer: "its provider"
            case .peer: "its peer"
            case .provider: "its customer"
            }
        }
        return "from \(role(l.fromRelation)) AS\(l.from) to \(role(l.toRelation)) AS\(l.to)"
    }

    func event(target: Target) -> DetectedEvent {
        let taken = prefixes.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
        let ways = relations.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        var evidence = [
            "AS\(leaker) passed routes of \(taken.count) of the target's prefixes on against its relationships, "
                + "\(Diagnosis.listed(ways, limit: 2)): a valley in the path (RFC 7908)",
            "the leaked paths reached up to \(maxPrefixes) prefixes at once: \(Diagnosis.prefixNote(taken, limit: 3))",
            "carried by up to \(maxPeers) of the \(peersUp) peers up at that moment; first heard from "
                + Diagnosis.listed(firstPeers.map(\.description), limit: 3),
            fromFile
                ? "relationships from the CAIDA file given (--as-relationships)"
                : "relationships inferred from the degrees of the ASes in the paths read (no --as-relationships file)",
        ]
        if let top = to.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) {
            evidence.append("most leaked paths went to AS\(top.key)")
        }
        let reach = peersUp > 0 ? min(1, Double(maxPeers) / Double(peersUp)) : 0
        return DetectedEvent(
            id: id, target: target.name, cause: .routeLeak,
            confidence: min(0.9, (fromFile ? 0.6 : 0.45) + 0.3 * reach), start: start, end: end,
            prefixes: taken.sorted(), upstreams: [leaker], origins: [],
            severity: reach * ((end ?? start) - start) / 60, evidence: evidence)
    }
}
