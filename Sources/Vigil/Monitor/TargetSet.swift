import BGP

/// Many targets watched from one feed: a `TargetMonitor` per target, one index over all their space, and
/// one tally of every peer's routes.
///
/// A route that concerns no target (nearly all of a full feed) is only counted, once, in the shared tally,
/// whatever the number of targets; each monitor takes the counts it has not seen yet (its peers' table
/// sizes, update counts and last-heard times: what the full-feed rule and feed health read) just before it
/// looks at anything (`sync`). A route that concerns some targets goes to their monitors alone. So the cost
/// per route does not grow with the number of targets.
public struct TargetSet {
    /// The monitors, one per target, in the order given.
    public var monitors: [TargetMonitor]
    /// Which targets a route may concern.
    public let index: TargetIndex
    /// Targets that follow their expected upstreams' own prefixes (a route that replaces or withdraws one
    /// concerns them wherever it points).
    public let followsUpstreams: [Int]
    /// Prefixes learned by a target from its origins' announcements, and which targets learned them.
    public private(set) var learned: [IPPrefix: [Int]] = [:]
    /// Per monitor: whether it learns its origins' routes.
    private let learns: [Bool]
    /// A bit per address block holding a learned prefix: most routes are told apart without hashing.
    private var learnedBlocks = [UInt64](repeating: 0, count: 1024)

    /// Per peer: the counts of routes heard (all prefixes), and per monitor the counts it has taken.
    private var tallies: [PeerTally] = []
    private var taken: [[PeerTally]]

    /// What a peer has said, counted: the table-size and update counts a routing view keeps per peer.
    struct PeerTally: Equatable {
        var ribIPv4 = 0
        var ribIPv6 = 0
        var updates = 0
        var last = 0.0
    }

    /// A set watching `monitors`' targets (each view says whether it learns its origins' routes).
    public init(monitors: [TargetMonitor]) {
        self.monitors = monitors
        learns = monitors.map(\.view.learnsOrigins)
        index = TargetIndex(monitors.map(\.target), learnsOrigins: learns)
        followsUpstreams = monitors.indices.filter { !monitors[$0].target.upstreams.isEmpty }
        taken = Array(repeating: [], count: monitors.count)
    }

    /// The number of peer `key`, the same in every monitor's view (each registers it at once).
    public mutating func id(of key: PeerKey) -> Int {
        var id = -1
        for i in monitors.indices {
            let n = monitors[i].view.id(of: key)
            precondition(id < 0 || n == id, "the monitors numbered a peer differently")
            id = n
        }
        while tallies.count <= id { tallies.append(PeerTally()) }
        for i in taken.indices { while taken[i].count <= id { taken[i].append(PeerTally()) } }
        return id
    }

    /// Counts a route of peer `id` that concerns no target (or that `apply` gives to some of them).
    @inline(__always)
    public mutating func count(peer id: Int, kind: RouteEvent.Kind, family: IPAddress.Family, time: Double) {
        switch kind {
        case .ribEntry:
            if family == .v4 { tallies[id].ribIPv4 += 1 } else { tallies[id].ribIPv6 += 1 }
        case .announce, .withdraw:
            tallies[id].updates += 1
        default:
            return
        }
        tallies[id].last = time
    }

    /// Applies a route event to monitor `i`'s view, with the peer's counts up to date; returns true when
    /// the watched state changed. The view counts the route itself, so it is marked taken; `counted` says
    /// the route is in the tally already (given to another monitor before).
    public mutating func apply(_ event: RouteEvent, peer id: Int, to i: Int, counted: Bool) -> Bool {
        if counted {
            // The tally holds this route: take everything before it, then the route by applying it.
            var before = tallies[id]
            uncount(&before, event.kind, event.prefix.family)
            syncTo(i, peer: id, before)
        } else {
            sync(i, peer: id)
            count(peer: id, kind: event.kind, family: event.prefix.family, time: event.time)
        }
        let changed = monitors[i].view.apply(event, peer: id)
        taken[i][id] = tallies[id]
        if learns[i], event.kind == .announce || event.kind == .ribEntry,
            monitors[i].view.isLearned(event.prefix)
        {
            if !(learned[event.prefix]?.contains(i) ?? false) {
                learned[event.prefix, default: []].append(i)
                let block = RoutingView.ownBlock(event.prefix)
                learnedBlocks[block >> 6] |= 1 << UInt64(block & 63)
            }
        }
        return changed
    }

    /// Applies a session change (or anything every view must see) to every monitor; returns the monitors
    /// whose watched state changed.
    public mutating func applyToAll(_ event: RouteEvent, peer id: Int) -> [Int] {
        var changed: [Int] = []
        for i in monitors.indices {
            sync(i, peer: id)
            if monitors[i].view.apply(event, peer: id) { changed.append(i) }
        }
        return changed
    }

    private func uncount(_ t: inout PeerTally, _ kind: RouteEvent.Kind, _ family: IPAddress.Family) {
        switch kind {
        case .ribEntry: if family == .v4 { t.ribIPv4 -= 1 } else { t.ribIPv6 -= 1 }
        case .announce, .withdraw: t.updates -= 1
        default: break
        }
    }

    /// Gives monitor `i` the counts of peer `id` it has not taken yet.
    @inline(__always)
    public mutating func sync(_ i: Int, peer id: Int) { syncTo(i, peer: id, tallies[id]) }

    @inline(__always)
    private mutating func syncTo(_ i: Int, peer id: Int, _ now: PeerTally) {
        let before = taken[i][id]
        guard now != before else { return }
        let d4 = now.ribIPv4 - before.ribIPv4
        let d6 = now.ribIPv6 - before.ribIPv6
        let du = now.updates - before.updates
        if d4 > 0 { monitors[i].view.count(peer: id, time: now.last, kind: .ribEntry, family: .v4, times: d4) }
        if d6 > 0 { monitors[i].view.count(peer: id, time: now.last, kind: .ribEntry, family: .v6, times: d6) }
        if du > 0 { monitors[i].view.count(peer: id, time: now.last, kind: .announce, family: .v4, times: du) }
        taken[i][id] = now
    }

    /// Gives monitor `i` every count it has not taken yet (before it looks at its signals).
    public mutating func sync(_ i: Int) {
        for id in tallies.indices { sync(i, peer: id) }
    }

    /// Path sampling for the degree inference, done once for all the views (see `RoutingView.pathSampling`):
    /// the sample is taken here and given to every view that infers relationships when it is complete, as
    /// each view would have taken it alone.
    private var pathCounter = 0
    private var samplesLeft: Int?
    private var degrees = ASDegrees()

    /// True for one route outside every target's space in `RoutingView.pathSampling` while the sample
    /// is not complete.
    @inline(__always)
    public mutating func wantsPathSample() -> Bool {
        if samplesLeft == nil { samplesLeft = monitors.map { $0.view.samplesLeft }.max() ?? 0 }
        guard let left = samplesLeft, left > 0 else { return false }
        pathCounter &+= 1
        return pathCounter & (RoutingView.pathSampling - 1) == 0
    }

    /// Adds a sampled path; the last one gives the sample to the views.
    public mutating func takeSample(_ path: [UInt32]) {
        degrees.add(path: path)
        let left = (samplesLeft ?? 1) - 1
        samplesLeft = left
        if left == 0 { for i in monitors.indices { monitors[i].view.adoptSample(degrees) } }
    }

    /// True when peer `id`'s route to `prefix` in some monitor's view is an expected upstream's own: adds
    /// those monitors to `out`.
    public mutating func holdersOfOwnRoute(peer id: Int, prefix: IPPrefix, into out: inout [Int]) {
        for i in followsUpstreams where monitors[i].view.holdsOwnRoute(peer: id, prefix: prefix) {
            if !out.contains(i) { out.append(i) }
        }
    }

    /// The targets a route may concern: by space and origin, learned prefixes, and (for withdrawals and
    /// replacements) upstreams' own routes held by the peer. Empty for most routes.
    @inline(__always)
    public mutating func targets(prefix: IPPrefix, origin: UInt32?, peer id: Int, into out: inout [Int]) {
        out.removeAll(keepingCapacity: true)
        if index.mayConcern(prefix: prefix, origin: origin) {
            index.targets(prefix: prefix, origin: origin, into: &out)
        }
        if !learned.isEmpty, PrefixIndex.isMarked(learnedBlocks, RoutingView.ownBlock(prefix)),
            let ts = learned[prefix]
        {
            for t in ts where !out.contains(t) { out.append(t) }
        }
        if !followsUpstreams.isEmpty { holdersOfOwnRoute(peer: id, prefix: prefix, into: &out) }
    }
}

/// What numbers peers for a source's hot loop: one view, or every view of a `TargetSet` alike.
public protocol PeerNumbering {
    /// The number of `key`, registering the peer on first sight.
    mutating func id(of key: PeerKey) -> Int
}

extension RoutingView: PeerNumbering {}
extension TargetSet: PeerNumbering {}

extension RoutingView {
    /// Takes the degree inference's complete sample of paths, taken by a `TargetSet` for all its views
    /// (one sample, not one per target), when this view infers relationships and has not sampled alone.
    public mutating func adoptSample(_ sample: ASDegrees) {
        guard samplesLeft > 0, leakJudge?.usesFile == false else { return }
        leakJudge?.degrees = sample
        samplesLeft = 0
        sampleDone()
    }
}
