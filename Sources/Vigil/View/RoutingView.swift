import BGP

/// What every peer currently routes for the target: per peer, its route to each watched prefix and to
/// each prefix its expected upstreams originate, its table size (for the full-feed rule), session state
/// and last-heard time. Routes outside that space are only counted, so memory grows with the watched
/// space and the number of peers, not with the size of the Internet's table.
///
/// The counts the detector reads (per tracked prefix: voting peers that see it and voting peers that can
/// speak for it; routes per upstream; foreign origins) are kept up to date as routes change, so reading
/// them costs nothing, and `takeChanges()` says which tracked prefixes moved since the last look.
public struct RoutingView: Sendable {
    /// A route as the view keeps it.
    public struct Route: Sendable, Equatable {
        /// Origin AS (nil when the path ends in an AS_SET).
        public var origin: UInt32?
        /// The AS before the origin.
        public var upstream: UInt32?
        /// The valley in its path, when the path crosses one (a route leak).
        public var leak: PathLeak? = nil
        /// Judged the target's own when it was set (kept with the route, so that removing it undoes exactly
        /// what adding it did even if the baseline learned more meanwhile).
        public var legitimate = false
        /// When the peer first announced it (as it stands).
        public var since = 0.0

        /// Equal when everything but `since` is: hearing the same route again changes nothing.
        public static func == (a: Route, b: Route) -> Bool {
            a.origin == b.origin && a.upstream == b.upstream && a.leak == b.leak && a.legitimate == b.legitimate
        }
    }

    /// One peer's state.
    public struct Peer: Sendable {
        /// The session is believed Established.
        public var up = true
        /// Time of the last event heard from the peer.
        public var lastHeard: Double = 0
        /// Routes in the peer's RIB snapshot (all prefixes), IPv4 and IPv6 apart.
        public var ribIPv4 = 0
        public var ribIPv6 = 0
        /// Updates heard (announcements and withdrawals), all prefixes.
        public var updates = 0
        /// Routes to watched prefixes.
        public var routes: [IPPrefix: Route] = [:]
        /// Routes originated by the expected upstreams: prefix -> upstream AS.
        public var upstreamOwn: [IPPrefix: UInt32] = [:]
        /// Per tracked prefix (by index), legitimate routes inside it.
        var legitimate: [Int: Int] = [:]
        /// Tracked prefixes (by index) the peer has shown a route to. Without a RIB, a peer votes on a
        /// prefix only once it has: an update file shows changes, not what each peer carried before.
        var known: Set<Int> = []
        /// Counted in the view's totals right now.
        var voting = false
        /// Has ever shown a route into the watched space (counts for feed health without a RIB).
        var spoke = false
    }

    /// The target watched.
    public let target: Target
    /// Fast membership test for the watched space.
    public let index: PrefixIndex
    /// Peers by their interned number (`id(of:)`), their keys, and the numbers by key.
    private var table: [Peer] = []
    private var keys: [PeerKey] = []
    private var ids: [PeerKey: Int] = [:]

    /// Peers by key (a copy, for inspection).
    public var peers: [PeerKey: Peer] {
        Dictionary(uniqueKeysWithValues: keys.indices.map { (keys[$0], table[$0]) })
    }

    /// The number of `key`, registering the peer on first sight. Sources keep it to skip hashing the key
    /// on every route.
    public mutating func id(of key: PeerKey) -> Int {
        if let id = ids[key] { return id }
        ids[key] = table.count
        keys.append(key)
        table.append(Peer())
        peersUpCount += 1
        return table.count - 1
    }
    /// The key of peer number `id`.
    public func key(ofPeer id: Int) -> PeerKey { keys[id] }

    /// True once any RIB snapshot has been read; before that (update files only), every peer votes on the
    /// prefixes it has shown a route to.
    public private(set) var sawRIB = false
    /// Events applied.
    public private(set) var eventsSeen = 0
    /// Whether prefixes the target's ASes originate outside its listed space are learned (country targets).
    public let learnsOrigins: Bool

    /// The prefixes tracked one by one: the target's most specific ones, then any learned.
    public private(set) var trackedPrefixes: [IPPrefix]
    /// Their size in /24 equivalents (IPv4) and /48 equivalents (IPv6): the target's whole space.
    public private(set) var trackedSpace = (v4: 0.0, v6: 0.0)
    private let trackedLookup: TrackedLookup
    private var learnedIndex: [IPPrefix: Int] = [:]
    /// Per tracked prefix: voting peers with a legitimate route inside it, and (without a RIB) voting
    /// peers that have shown a route to it.
    private var seen: [Int] = []
    private var knownBy: [Int] = []
    /// Voting peers, and legitimate routes per upstream and own routes per expected upstream among them.
    public private(set) var votingCount = 0
    private var upstreamRoutes: [UInt32: Int] = [:]
    private var ownRoutes: [UInt32: Int] = [:]
    /// Routes into the target space from foreign origins, with the peers (session up) carrying them.
    public private(set) var foreign: [ForeignRoute: Set<PeerKey>] = [:]
    /// Legitimate routes into the target space whose paths cross a valley, with the peers carrying them.
    public private(set) var leaked: [LeakedRoute: Set<PeerKey>] = [:]
    /// Per tracked prefix, legitimate routes among voting peers by upstream (the AS before the origin).
    private var prefixUpstreams: [[UInt32: Int]] = []
    /// Per tracked prefix, the length of the largest legitimate route seen inside it (255: none yet): a
    /// country's delegated /10 of which one /24 was ever routed weighs one /24, not 16,384.
    private var largestRoute: [UInt8] = []
    /// The origins each prefix was announced with before (see `OriginBaseline`).
    public private(set) var origins = OriginBaseline()
    /// Until when announcements are the baseline: the first update's time plus the learning window
    /// without a RIB, the first update's time with one (the RIB is the baseline). Nil before any update.
    public private(set) var learningUntil: Double?
    /// How long the first updates are the baseline when there is no RIB (seconds of message time).
    public var learningWindow: Double
    /// Finds route leaks in the paths of the target's routes; nil when paths are not judged.
    public var leakJudge: LeakJudge? { didSet { startSampling() } }
    /// Valleys already seen while learning, with relationships inferred from degrees: the inference's own
    /// mistakes are steady, a leak is new.
    private var knownValleys: Set<PathLeak> = []
    /// A valley counts as a leak only when a peer's path changed into it: the peer carried a route to the
    /// prefix (or one covering it) for at least this long before. A peer's first word (a table dump, the
    /// routes a reset session sends again) shows how things stand, not what changed, and a stale
    /// relationships file disagrees with many standing paths.
    public var pathChangeAge: Double
    /// Tracked prefixes that moved since `takeChanges()`: a flag per prefix and the list of those set.
    private var changedFlags: [Bool] = []
    private var changedList: [Int] = []
    private var everythingChanged = true
    private let upstreamASNs: Set<UInt32>

    /// An empty view for `target`; with `learnsOrigins`, routes its origin ASes announce anywhere join the
    /// watched space as they are seen. Its durations (learning window, path-change age) come from
    /// `thresholds` (the target's own when nil; scaled ones for a compressed recording).
    public init(
        target: Target, learnsOrigins: Bool = false, thresholds: Thresholds? = nil,
        leakJudge: LeakJudge? = LeakJudge()
    ) {
        self.target = target
        let t = thresholds ?? target.thresholds
        learningWindow = t.learningWindow
        pathChangeAge = t.transient
        self.leakJudge = leakJudge
        index = PrefixIndex(target.prefixes)
        upstreamASNs = Set(target.upstreams.keys)
        self.learnsOrigins = learnsOrigins && !target.originASNs.isEmpty
        relevance = RelevanceFilter(
            index: index, upstreamASNs: upstreamASNs, originASNs: self.learnsOrigins ? target.originASNs : [],
            needsOrigin: !upstreamASNs.isEmpty || self.learnsOrigins)
        trackedPrefixes = target.trackedPrefixes
        trackedLookup = TrackedLookup(trackedPrefixes)
        seen = Array(repeating: 0, count: trackedPrefixes.count)
        knownBy = seen
        prefixUpstreams = Array(repeating: [:], count: trackedPrefixes.count)
        largestRoute = Array(repeating: 255, count: trackedPrefixes.count)
        for p in trackedPrefixes { addSpace(p) }
        startSampling()
    }

    /// Paths are sampled for the degree inference when relationships are to be inferred; with a file
    /// they can be judged at once.
    private mutating func startSampling() {
        samplesLeft = leakJudge?.usesFile == false ? Self.pathSampleBudget : 0
        judgeReady = leakJudge?.usesFile == true
    }

    private mutating func addSpace(_ p: IPPrefix) {
        if p.family == .v4 { trackedSpace.v4 += IPPrefix.slash24s(p) } else { trackedSpace.v6 += IPPrefix.slash48s(p) }
    }

    /// True while announcements are still read as the baseline (see `learningUntil`).
    public func isLearning(at time: Double) -> Bool { learningUntil.map { time < $0 } ?? true }

    /// True when the peer held a route to `prefix` or to a prefix covering it, heard at least
    /// `pathChangeAge` before `time`: a new path for it is a change, not the peer's first word.
    private func changesPath(_ id: Int, _ prefix: IPPrefix, at time: Double) -> Bool {
        let routes = table[id].routes
        guard !routes.isEmpty else { return false }
        var length = Int(prefix.length)
        while length >= 0 {
            if let r = routes[IPPrefix(address: prefix.address, length: length)], r.since <= time - pathChangeAge {
                return true
            }
            length -= 1
        }
        return false
    }

    /// True when the paths of routes to `prefix` should be read: leaks can be judged (a relationships
    /// file, or sampled degrees enough to infer from) and the prefix is in the watched space.
    @inlinable
    public mutating func wantsPath(of prefix: IPPrefix) -> Bool {
        judgeReady && (index.overlaps(prefix) || (learnsOrigins && isLearned(prefix)))
    }
    /// A file was given, or the sample gave enough links.
    @usableFromInline var judgeReady = false

    /// How often a path outside the watched space is sampled for the degree inference: one in this many
    /// (a power of two), until `pathSampleBudget` paths have been. The large ASes' degrees, which are what
    /// the inference compares, show within the first thousands of a full feed's paths; reading every path
    /// (or a sixteenth of a replay's) cost the replay a fifth of its speed.
    public static let pathSampling = 64
    public static let pathSampleBudget = 8_000
    @usableFromInline var pathCounter = 0
    /// Paths still to sample (0 when relationships come from a file or leaks are not judged).
    @usableFromInline var samplesLeft = 0

    /// True for one announcement outside the watched space in `pathSampling` while the sample lasts.
    @inlinable
    public mutating func wantsPathSample() -> Bool {
        guard samplesLeft > 0 else { return false }
        pathCounter &+= 1
        guard pathCounter & (Self.pathSampling - 1) == 0 else { return false }
        samplesLeft -= 1
        if samplesLeft == 0 { sampleDone() }
        return true
    }

    /// The sample is complete: degrees are used from now on if they hold enough links.
    @inline(never) @usableFromInline
    mutating func sampleDone() {
        judgeReady = (leakJudge?.degrees.linkCount ?? 0) >= ASDegrees.minimumLinks
    }

    /// Feeds the path of a route outside the watched space to the degree inference (sources sample them).
    public mutating func observePath(_ path: [UInt32]) {
        if leakJudge?.usesFile == false { leakJudge?.degrees.add(path: path) }
    }

    /// True when the event concerns the watched space or an expected upstream's own prefix, i.e. when
    /// `apply` may change what the detector sees. Sources use it to skip building the rest of an event.
    @inline(__always)
    public func isRelevant(prefix: IPPrefix, origin: UInt32?) -> Bool {
        relevance.isRelevant(prefix: prefix, origin: origin) || (learnsOrigins && learnedIndex[prefix] != nil)
    }

    /// True when the peer's route to `prefix` is one an expected upstream originates (so a withdrawal or a
    /// new announcement of it matters even outside the watched space). Marked mutating though it changes
    /// nothing: a hot loop that holds the view `inout` then reads it in place instead of copying it.
    @inlinable
    public mutating func holdsOwnRoute(peer id: Int, prefix: IPPrefix) -> Bool {
        PrefixIndex.isMarked(ownBlocks, Self.ownBlock(prefix)) && peerHoldsOwnRoute(id, prefix)
    }

    @usableFromInline
    mutating func peerHoldsOwnRoute(_ id: Int, _ prefix: IPPrefix) -> Bool {
        !table[id].upstreamOwn.isEmpty && table[id].upstreamOwn[prefix] != nil
    }

    /// A bit per address block (see `ownBlock`) that holds a prefix some expected upstream has originated
    /// at some peer: most routes are told apart from the upstreams' own ones without hashing them.
    @usableFromInline var ownBlocks: [UInt64] = Array(repeating: 0, count: 1024)

    /// The block of `ownBlocks` a prefix falls in: its /16 for IPv4, bits of its top 32 for IPv6 (blocks
    /// of both families may share bits; a shared bit only costs a lookup).
    @inlinable
    static func ownBlock(_ prefix: IPPrefix) -> Int {
        let high = prefix.address.high
        return prefix.family == .v4
            ? Int(prefix.address.v4 >> 16) : Int(truncatingIfNeeded: (high >> 48) ^ (high >> 32)) & 0xFFFF
    }

    /// True when `prefix` was learned from the target's origins (country targets). Mutating for the same
    /// reason as `holdsOwnRoute`.
    public mutating func isLearned(_ prefix: IPPrefix) -> Bool { learnedIndex[prefix] != nil }

    /// The part of `isRelevant` that never changes, as a small value a hot loop can hold on its own
    /// (calling into the whole view from a closure that captures it copies it).
    public let relevance: RelevanceFilter

    // MARK: Applying events

    /// Applies one event. Returns true when the watched state changed (a route to the watched space or
    /// an upstream's own prefix, or a session), so the detector knows when to look again.
    @discardableResult
    public mutating func apply(_ event: RouteEvent) -> Bool {
        apply(event, peer: id(of: event.peer))
    }

    /// `apply(_:)` for a peer already numbered by `id(of:)` (`event.peer` is not read).
    @discardableResult
    public mutating func apply(_ event: RouteEvent, peer id: Int) -> Bool {
        eventsSeen += 1
        if event.kind == .ribEntry && !sawRIB {
            sawRIB = true
            recount()
        }
        if learnsOrigins, event.kind == .announce || event.kind == .ribEntry, let origin = event.origin,
            target.originASNs.contains(origin), learnedIndex[event.prefix] == nil, !index.overlaps(event.prefix)
        {
            learnedIndex[event.prefix] = trackedPrefixes.count
            trackedPrefixes.append(event.prefix)
            addSpace(event.prefix)
            largestRoute.append(255)
            seen.append(0)
            knownBy.append(0)
            prefixUpstreams.append([:])
        }
        if event.kind != .ribEntry, event.kind != .endOfRIB, learningUntil == nil {
            learningUntil = event.time + (sawRIB ? 0 : learningWindow)
        }
        var leak: PathLeak?
        let inSpace =
            (event.kind == .announce || event.kind == .ribEntry)
            && (index.overlaps(event.prefix) || (!learnedIndex.isEmpty && learnedIndex[event.prefix] != nil))
        if inSpace, let origin = event.origin {
            // Without origins every route is the target's own: there is nothing to learn.
            if !target.originASNs.isEmpty { learnOrigin(origin, event) }
            if !event.path.isEmpty, leakJudge != nil {
                // In place: a copy of the judge would copy its tables of degrees.
                leak = leakJudge?.leak(in: event.path)
                if leak != nil, event.kind == .ribEntry || !changesPath(id, event.prefix, at: event.time) {
                    leak = nil
                }
                if let l = leak, leakJudge?.usesFile == false {
                    // Inferred relationships: the valleys of the baseline are the inference's, not leaks.
                    if event.kind == .ribEntry || isLearning(at: event.time) {
                        knownValleys.insert(l)
                        leak = nil
                    } else if knownValleys.contains(l) {
                        leak = nil
                    }
                }
            }
        }
        var result = false
        switch event.kind {
        case .ribEntry, .announce:
            withPeer(id) { peer in
                peer.lastHeard = event.time
                if event.kind == .ribEntry {
                    if event.prefix.family == .v4 { peer.ribIPv4 += 1 } else { peer.ribIPv6 += 1 }
                } else {
                    peer.updates += 1
                }
            }
            if event.kind == .announce, !table[id].up { result = setUp(id, true) || result }
            if inSpace {
                result =
                    setRoute(
                        id, event.prefix,
                        Route(origin: event.origin, upstream: event.upstream, leak: leak, since: event.time))
                    || result
            }
            if let origin = event.origin, upstreamASNs.contains(origin) {
                result = setOwn(id, event.prefix, origin) || result
            } else {
                result = setOwn(id, event.prefix, nil) || result
            }
            if event.kind == .ribEntry { result = refreshVoting(id) || result }
        case .withdraw:
            withPeer(id) { peer in
                peer.lastHeard = event.time
                peer.updates += 1
            }
            result = setRoute(id, event.prefix, nil)
            result = setOwn(id, event.prefix, nil) || result
        case .peerDown:
            withPeer(id) { peer in peer.lastHeard = event.time }
            result = setUp(id, false)
            for prefix in Array(table[id].routes.keys) { _ = setRoute(id, prefix, nil) }
            for prefix in Array(table[id].upstreamOwn.keys) { _ = setOwn(id, prefix, nil) }
            // After a reset the peer has to show its routes again before it speaks for them.
            withPeer(id) { peer in peer.known.removeAll() }
        case .peerUp:
            withPeer(id) { peer in peer.lastHeard = event.time }
            result = setUp(id, true)
        case .endOfRIB:
            break
        }
        return result
    }

    /// Lets a peer speak for every tracked prefix without having shown a route to each since start-up:
    /// live monitoring without a RIB restores this for the peers that carried a route to the target in
    /// the last 24 hours, so that a peer that withdrew during an outage still counts as not seeing it.
    public mutating func markKnown(peer id: Int) {
        guard !sawRIB else { return }
        table[id].spoke = true
        for t in trackedPrefixes.indices where table[id].known.insert(t).inserted {
            if table[id].voting {
                knownBy[t] += 1
                markChanged(t)
            }
        }
        _ = refreshVoting(id)
    }

    /// Counts an event outside the watched space without storing it (keeps update rates and
    /// table sizes honest while skipping the work `apply` does).
    public mutating func count(peer key: PeerKey, time: Double, kind: RouteEvent.Kind, family: IPAddress.Family) {
        count(peer: id(of: key), time: time, kind: kind, family: family)
    }

    /// `count(peer:time:kind:family:)` for a peer already numbered by `id(of:)`, for `times` such events.
    @inline(__always)
    public mutating func count(
        peer id: Int, time: Double, kind: RouteEvent.Kind, family: IPAddress.Family, times: Int = 1
    ) {
        eventsSeen += times
        if kind == .ribEntry && !sawRIB {
            sawRIB = true
            recount()
        }
        let (wasDown, checkVote) = Self.tally(&table[id], time, kind, family, times)
        if wasDown { _ = setUp(id, true) }
        // A peer's RIB crossing the full-feed line makes it vote; checking every 1024th route is enough
        // here, and refreshAllVotes() settles the rest when the snapshot ends.
        if checkVote { _ = refreshVoting(id) }
    }

    /// Re-checks every peer's vote (call after a RIB snapshot is loaded).
    public mutating func refreshAllVotes() {
        for id in table.indices { _ = refreshVoting(id) }
    }

    // MARK: Reading

    /// True when the peer carries a full table by the target's thresholds (or no RIB was read at all).
    public func isFullFeed(_ peer: Peer) -> Bool {
        !sawRIB || peer.ribIPv4 > target.thresholds.fullFeedIPv4 || peer.ribIPv6 > target.thresholds.fullFeedIPv6
    }

    /// The peers whose view counts: full feeds with their session up (without a RIB: every peer up that
    /// has shown a route into the watched space).
    public var votingPeers: [PeerKey] { keys.indices.compactMap { table[$0].voting ? keys[$0] : nil }.sorted() }

    /// Full-feed peers whether up or not: the denominator for feed health.
    public var fullFeedPeerCount: Int {
        table.reduce(0) { $0 + (isFullFeed($1) && (sawRIB || $1.spoke) ? 1 : 0) }
    }

    /// For tracked prefix `i`: voting peers that see it, and voting peers that can speak for it.
    public func visibility(ofTracked i: Int) -> (seen: Int, voters: Int) {
        (seen[i], sawRIB ? votingCount : knownBy[i])
    }

    /// Peers whose sessions are up (voting or not): those that could carry any route. Kept in step with
    /// `setUp` and `id(of:)`, so reading it costs nothing per change.
    public private(set) var peersUpCount = 0

    /// Legitimate routes through each upstream among voting peers.
    public var routesPerUpstream: [UInt32: Int] { upstreamRoutes.filter { $0.value > 0 } }

    /// Routes each expected upstream originates itself, among voting peers.
    public var ownRoutesPerUpstream: [UInt32: Int] {
        Dictionary(uniqueKeysWithValues: upstreamASNs.map { ($0, ownRoutes[$0] ?? 0) })
    }

    /// The tracked prefixes whose counts moved since the last call (all of them after a change of voters).
    public mutating func takeChanges() -> [Int] {
        defer {
            for i in changedList { changedFlags[i] = false }
            changedList.removeAll(keepingCapacity: true)
            everythingChanged = false
        }
        return everythingChanged ? Array(trackedPrefixes.indices) : changedList.sorted()
    }

    /// True when `route` to `prefix` may be counted as the target's own: no origins are set, its origin is
    /// one of the target's, or it announced this space before (the baseline learned from the routes). A
    /// path ending in an AS_SET (an aggregate: RFC 6472 deprecates them, a few remain) names no origin, so
    /// it is not judged: it counts as the aggregator's route to space it holds, never as a hijack "by AS0".
    public func isLegitimate(_ route: Route, _ prefix: IPPrefix) -> Bool {
        if target.originASNs.isEmpty { return true }
        guard let origin = route.origin else { return true }
        return target.originASNs.contains(origin) || origins.allows(origin, for: prefix)
    }

    /// Learns the origin of an announcement into the watched space when it is part of the baseline: a
    /// RIB entry always; for a target whose origins come from a registry (a hint, not the rule), also the
    /// announcements of the learning window, any announcement by one of its registered ASes, and any
    /// announcement of space nobody announced before (nobody loses anything to it).
    private mutating func learnOrigin(_ origin: UInt32, _ event: RouteEvent) {
        if event.kind == .ribEntry {
            origins.learn(origin, for: event.prefix)
        } else if target.originsFromRegistry {
            if isLearning(at: event.time) || target.originASNs.contains(origin)
                || !origins.isAnnounced(event.prefix)
            {
                origins.learn(origin, for: event.prefix)
            }
        } else if target.originASNs.contains(origin) {
            origins.learn(origin, for: event.prefix)
        }
    }

    /// The ASes that announced the space of `prefix` before (for evidence).
    public func holders(of prefix: IPPrefix) -> [UInt32] { origins.holders(of: prefix) }

    /// Per origin AS, the share of the peers up that carry at least one of its routes into the watched
    /// space: the target's own origins and any hijacker's, side by side (walks every peer's routes: for
    /// bins, not for each change).
    public func originShares() -> [UInt32: Double] {
        guard peersUpCount > 0 else { return [:] }
        var counts: [UInt32: Int] = [:]
        for peer in table where peer.up {
            var origins: Set<UInt32> = []
            for route in peer.routes.values { if let o = route.origin { origins.insert(o) } }
            for o in origins { counts[o, default: 0] += 1 }
        }
        return counts.mapValues { Double($0) / Double(peersUpCount) }
    }

    /// The routed size of tracked prefix `i` in /24 (IPv4) or /48 (IPv6) equivalents: that of the largest
    /// legitimate route seen inside it; 0 before any.
    public func routedSpace(ofTracked i: Int) -> Double {
        guard largestRoute[i] != 255 else { return 0 }
        let p = IPPrefix(address: trackedPrefixes[i].address, length: Int(largestRoute[i]))
        return p.family == .v4 ? IPPrefix.slash24s(p) : IPPrefix.slash48s(p)
    }

    /// Per tracked prefix `i`, the upstreams its legitimate routes go through among voting peers.
    public func upstreams(ofTracked i: Int) -> [UInt32: Int] { prefixUpstreams[i] }

    // MARK: Bookkeeping

    @inline(__always)
    private mutating func markChanged(_ t: Int) {
        if t >= changedFlags.count { changedFlags += Array(repeating: false, count: t + 1 - changedFlags.count) }
        if !changedFlags[t] {
            changedFlags[t] = true
            changedList.append(t)
        }
    }

    @inline(__always)
    private mutating func withPeer<R>(_ id: Int, _ body: (inout Peer) -> R) -> R {
        body(&table[id])
    }

    /// Counts `times` routes outside the watched space on a peer; returns (the peer was down, check its vote).
    @inline(__always)
    private static func tally(
        _ peer: inout Peer, _ time: Double, _ kind: RouteEvent.Kind, _ family: IPAddress.Family, _ times: Int
    ) -> (Bool, Bool) {
        peer.lastHeard = time
        switch kind {
        case .ribEntry:
            let before = peer.ribIPv4 + peer.ribIPv6
            if family == .v4 { peer.ribIPv4 += times } else { peer.ribIPv6 += times }
            return (false, !peer.voting && before >> 10 != (before + times) >> 10)
        case .announce, .withdraw:
            peer.updates += times
            return (!peer.up, false)
        default:
            return (false, false)
        }
    }

    private func trackedIndex(of prefix: IPPrefix) -> Int? {
        if !learnedIndex.isEmpty, let i = learnedIndex[prefix] { return i }
        return trackedLookup.index(containing: prefix)
    }

    /// Sets (or removes, with nil) a peer's route to a watched prefix, keeping every count in step. Works
    /// on the peer in place: copying a peer out and back retains and releases each of its tables.
    private mutating func setRoute(_ id: Int, _ prefix: IPPrefix, _ route: Route?) -> Bool {
        var route = route
        if let r = route { route?.legitimate = isLegitimate(r, prefix) }
        let old: Route?
        if let new = route {
            // One hash lookup: the slot is found (or made, marked by a `since` of -1) and updated in place;
            // the same route heard again keeps the time it was first heard.
            var marker = new
            marker.since = -1
            var previous: Route?
            Self.replace(&table[id].routes[prefix, default: marker], with: new, previous: &previous)
            if let previous, previous == new { return false }
            old = previous
        } else {
            old = table[id].routes.removeValue(forKey: prefix)
            guard old != nil else { return false }
        }
        let tracked = trackedIndex(of: prefix)
        if let old { account(id, prefix, old, tracked, -1) }
        guard let route else { return true }
        var newlyKnown = false
        // A peer speaks for a tracked prefix once it shows a route of the target's own, or any route to the
        // prefix itself. A foreign more-specific (a hijack of part of it) does not make it a voter for the
        // covering prefix: counting it so made YouTube's /22 "go dark" the moment Pakistan Telecom's /24
        // reached 42 peers that had never shown the /22 in the day's updates.
        if let t = tracked, !sawRIB, route.legitimate || prefix == trackedPrefixes[t],
            table[id].known.insert(t).inserted
        {
            table[id].spoke = true
            newlyKnown = true
            if table[id].voting {
                knownBy[t] += 1
                markChanged(t)
            }
        }
        account(id, prefix, route, tracked, +1)
        if newlyKnown { _ = refreshVoting(id) }
        return true
    }

    /// Puts `new` in `slot` unless it holds the same route already; `previous` is what it held (nil when the
    /// slot was just made: its `since` is -1).
    @inline(__always)
    private static func replace(_ slot: inout Route, with new: Route, previous: inout Route?) {
        if slot.since == -1 {
            slot = new
        } else {
            previous = slot
            if slot != new { slot = new }
        }
    }

    /// Adds (+1) or removes (-1) one route's share of the counts.
    private mutating func account(_ id: Int, _ prefix: IPPrefix, _ route: Route, _ tracked: Int?, _ sign: Int) {
        if route.legitimate {
            let voting = table[id].voting
            if let t = tracked {
                if sign > 0 {
                    largestRoute[t] = min(largestRoute[t], max(prefix.length, trackedPrefixes[t].length))
                }
                let before = table[id].legitimate[t, default: 0]
                let after = before + sign
                table[id].legitimate[t] = after == 0 ? nil : after
                if voting && (before == 0) != (after == 0) {
                    seen[t] += sign
                    markChanged(t)
                }
                if voting, let u = route.upstream {
                    prefixUpstreams[t][u, default: 0] += sign
                    if prefixUpstreams[t][u] == 0 { prefixUpstreams[t][u] = nil }
                }
            }
            if voting, let u = route.upstream { upstreamRoutes[u, default: 0] += sign }
            if let leak = route.leak, table[id].up {
                let l = LeakedRoute(prefix: prefix, leak: leak)
                if sign > 0 {
                    leaked[l, default: []].insert(keys[id])
                } else {
                    leaked[l]?.remove(keys[id])
                    if leaked[l]?.isEmpty == true { leaked[l] = nil }
                }
            }
        } else if table[id].up, tracked != nil || target.prefixes.contains(where: { $0.contains(prefix) }) {
            let f = ForeignRoute(prefix: prefix, origin: route.origin ?? 0)
            if sign > 0 {
                foreign[f, default: []].insert(keys[id])
            } else {
                foreign[f]?.remove(keys[id])
                if foreign[f]?.isEmpty == true { foreign[f] = nil }
            }
        }
    }

    private mutating func setOwn(_ id: Int, _ prefix: IPPrefix, _ origin: UInt32?) -> Bool {
        if origin == nil && table[id].upstreamOwn.isEmpty { return false }
        let previous = table[id].upstreamOwn[prefix]
        if previous == origin { return false }
        if table[id].voting {
            if let previous { ownRoutes[previous, default: 0] -= 1 }
            if let origin { ownRoutes[origin, default: 0] += 1 }
        }
        table[id].upstreamOwn[prefix] = origin
        if origin != nil {
            let block = Self.ownBlock(prefix)
            ownBlocks[block >> 6] |= 1 << UInt64(block & 63)
        }
        return true
    }

    private mutating func setUp(_ id: Int, _ up: Bool) -> Bool {
        let peer = table[id]
        guard peer.up != up else { return false }
        table[id].up = up
        peersUpCount += up ? 1 : -1
        let key = keys[id]
        if !up {
            // Foreign and leaked routes of a peer that went down leave with it.
            for (prefix, route) in peer.routes {
                if !route.legitimate {
                    let f = ForeignRoute(prefix: prefix, origin: route.origin ?? 0)
                    foreign[f]?.remove(key)
                    if foreign[f]?.isEmpty == true { foreign[f] = nil }
                } else if let leak = route.leak {
                    let l = LeakedRoute(prefix: prefix, leak: leak)
                    leaked[l]?.remove(key)
                    if leaked[l]?.isEmpty == true { leaked[l] = nil }
                }
            }
        }
        _ = refreshVoting(id)
        return true
    }

    /// Makes the peer's contribution match whether it votes now. Returns true when that changed.
    private mutating func refreshVoting(_ id: Int) -> Bool {
        let t = target.thresholds
        let fullFeed = !sawRIB || table[id].ribIPv4 > t.fullFeedIPv4 || table[id].ribIPv6 > t.fullFeedIPv6
        let shouldVote = table[id].up && fullFeed && (sawRIB || !table[id].known.isEmpty)
        guard shouldVote != table[id].voting else { return false }
        var peer = table[id]
        table[id] = Peer()
        contribute(&peer, shouldVote ? 1 : -1)
        peer.voting = shouldVote
        table[id] = peer
        everythingChanged = true
        return true
    }

    private mutating func contribute(_ peer: inout Peer, _ sign: Int) {
        votingCount += sign
        for (t, n) in peer.legitimate where n > 0 { seen[t] += sign }
        if !sawRIB { for t in peer.known { knownBy[t] += sign } }
        for (prefix, route) in peer.routes where route.legitimate {
            guard let u = route.upstream else { continue }
            upstreamRoutes[u, default: 0] += sign
            if let t = trackedIndex(of: prefix) {
                prefixUpstreams[t][u, default: 0] += sign
                if prefixUpstreams[t][u] == 0 { prefixUpstreams[t][u] = nil }
            }
        }
        for u in peer.upstreamOwn.values { ownRoutes[u, default: 0] += sign }
    }

    /// Rebuilds every count from the peers (when the voting rule itself changes: the first RIB entry).
    private mutating func recount() {
        votingCount = 0
        seen = Array(repeating: 0, count: trackedPrefixes.count)
        knownBy = seen
        prefixUpstreams = Array(repeating: [:], count: trackedPrefixes.count)
        upstreamRoutes = [:]
        ownRoutes = [:]
        for id in table.indices {
            table[id].voting = false
            _ = refreshVoting(id)
        }
        everythingChanged = true
    }
}

/// Tells whether a route may concern a target: it touches the watched space, or its origin is an expected
/// upstream (whose own prefixes are followed) or one of the target's ASes (country targets).
///
/// A class, so that the hot loop holding it retains it once per record rather than retaining and releasing
/// its tables for every route.
public final class RelevanceFilter: Sendable {
    @usableFromInline let index: PrefixIndex
    /// The ASes whose routes matter wherever they point, sorted: a handful for a country's upstreams, so
    /// a scan beats hashing; a binary search takes over for a country's hundreds of ASes.
    @usableFromInline let asns: [UInt32]
    /// True when the origin of every route matters, so sources must read it.
    public let needsOrigin: Bool

    init(index: PrefixIndex, upstreamASNs: Set<UInt32>, originASNs: Set<UInt32>, needsOrigin: Bool) {
        self.index = index
        asns = upstreamASNs.union(originASNs).sorted()
        self.needsOrigin = needsOrigin
    }

    /// See the type's description.
    @inlinable
    public func isRelevant(prefix: IPPrefix, origin: UInt32?) -> Bool {
        if let origin, matches(origin) { return true }
        return index.overlaps(prefix)
    }

    @inlinable
    func matches(_ asn: UInt32) -> Bool {
        if asns.count <= 16 {
            for a in asns where a == asn { return true }
            return false
        }
        var lo = 0
        var hi = asns.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if asns[mid] < asn { lo = mid + 1 } else { hi = mid }
        }
        return lo < asns.count && asns[lo] == asn
    }
}

/// A legitimate route into the target space whose path crosses a valley.
public struct LeakedRoute: Hashable, Sendable {
    /// The prefix announced.
    public var prefix: IPPrefix
    /// Where the path went against the relationships.
    public var leak: PathLeak
}

/// A route into the target space from an origin the target does not allow.
public struct ForeignRoute: Hashable, Sendable {
    /// The prefix announced.
    public var prefix: IPPrefix
    /// Its origin AS (0 when the path ended in an AS_SET).
    public var origin: UInt32
}

/// Finds the tracked prefix that contains a route's prefix. Tracked prefixes never nest (each is a most
/// specific watched prefix), so at most one can, and a binary search over their ranges finds it.
struct TrackedLookup: Sendable {
    private var v4: [(first: UInt32, last: UInt32, index: Int)] = []
    private var others: [(IPPrefix, Int)] = []

    init(_ tracked: [IPPrefix]) {
        for (i, p) in tracked.enumerated() {
            if p.family == .v4 {
                let first = p.address.v4
                v4.append((first, p.length == 0 ? .max : first | (UInt32.max >> UInt32(p.length)), i))
            } else {
                others.append((p, i))
            }
        }
        v4.sort { $0.first < $1.first }
    }

    func index(containing prefix: IPPrefix) -> Int? {
        if prefix.family != .v4 { return others.first { $0.0.contains(prefix) }?.1 }
        let a = prefix.address.v4
        var lo = 0
        var hi = v4.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if v4[mid].first <= a { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return nil }
        let r = v4[lo - 1]
        let last = prefix.length == 0 ? UInt32.max : a | (UInt32.max >> UInt32(prefix.length))
        return a >= r.first && last <= r.last ? r.index : nil
    }
}

extension IPPrefix {
    /// The size of an IPv4 prefix in /24 equivalents, as IODA counts address space (a /25 is half of one).
    public static func slash24s(_ p: IPPrefix) -> Double { size(p, unit: 24) }

    /// The size of an IPv6 prefix in /48 equivalents.
    public static func slash48s(_ p: IPPrefix) -> Double { size(p, unit: 48) }

    static func size(_ p: IPPrefix, unit: Int) -> Double {
        let bits = unit - Int(p.length)
        return bits >= 0
            ? Double(UInt64(1) << UInt64(min(bits, 62))) : 1 / Double(UInt64(1) << UInt64(min(-bits, 62)))
    }
}
