import BGP

/// The target's signals at one moment, read off the routing view: what the detector compares with its
/// thresholds and what the timeline prints per bin.
public struct TargetSignals: Sendable {
    /// When they were read.
    public var time: Double
    /// Peers that vote (full feed, session up).
    public var votingPeers: Int
    /// Full-feed peers, up or not.
    public var fullFeedPeers: Int
    /// Per tracked prefix, the fraction of its voting peers with a legitimate route to it (exact or more
    /// specific). Holds the prefixes that changed since the detector last looked (all of them for a
    /// snapshot); a prefix no voting peer can speak for is absent.
    public var visibility: [IPPrefix: Double]
    /// How many prefixes the target tracks in all.
    public var trackedCount: Int
    /// Per tracked prefix in `visibility`, the voting peers it was measured against.
    public var denominators: [IPPrefix: Int]
    /// Per upstream AS, legitimate routes through it per voting peer.
    public var upstreamShare: [UInt32: Double]
    /// Per expected upstream, routes it originates itself, per voting peer.
    public var upstreamOwn: [UInt32: Double]
    /// Routes into the target space from origins the target does not allow, with the peers carrying them.
    public var foreign: [ForeignRoute: [PeerKey]]
    /// Peers with their sessions up, voting or not: every peer that could carry a foreign route.
    public var peersUp: Int
    /// Legitimate routes into the target space whose paths cross a valley, with the peers carrying them.
    public var leaks: [LeakedRoute: [PeerKey]]
    /// Per prefix in `visibility`, the upstreams its routes go through and how many voting peers use each.
    public var upstreamsOf: [IPPrefix: [UInt32: Int]]
    /// Per prefix in `visibility`, its routed size (/24 or /48 equivalents of the largest route seen in it).
    public var weights: [IPPrefix: Double]
    /// Per prefix of `foreign`, the origins that announced its space before (empty: only the target's own).
    public var holders: [IPPrefix: [UInt32]]
    /// The target's whole space in /24 (IPv4) and /48 (IPv6) equivalents, and whether a RIB was read (then
    /// the space seen up is the baseline; without one, routes not yet shown are unknown, not absent, and
    /// shares are taken of the whole space).
    public var space: (v4: Double, v6: Double)
    public var sawRIB: Bool
    /// Whether announcements are still the baseline (no hijack is judged before it is learned).
    public var learning: Bool
    /// Whether route leaks are judged with relationships from a file (else inferred from degrees).
    public var relationshipsFromFile: Bool

    /// The signals after the latest changes: only the tracked prefixes that moved are listed.
    public init(changesOf view: inout RoutingView, time: Double) {
        self.init(view, time: time, prefixes: view.takeChanges())
    }

    /// Every tracked prefix's signals, without consuming the view's list of changes (for bins).
    public init(snapshotOf view: RoutingView, time: Double) {
        self.init(view, time: time, prefixes: Array(view.trackedPrefixes.indices))
    }

    init(_ view: RoutingView, time: Double, prefixes: [Int]) {
        self.time = time
        votingPeers = view.votingCount
        trackedCount = view.trackedPrefixes.count
        fullFeedPeers = view.fullFeedPeerCount
        var visibility: [IPPrefix: Double] = [:]
        var denominators: [IPPrefix: Int] = [:]
        var upstreamsOf: [IPPrefix: [UInt32: Int]] = [:]
        var weights: [IPPrefix: Double] = [:]
        for i in prefixes {
            let (seen, voters) = view.visibility(ofTracked: i)
            guard voters > 0 else { continue }
            let prefix = view.trackedPrefixes[i]
            visibility[prefix] = Double(seen) / Double(voters)
            denominators[prefix] = voters
            weights[prefix] = view.routedSpace(ofTracked: i)
            let ups = view.upstreams(ofTracked: i)
            if !ups.isEmpty { upstreamsOf[prefix] = ups }
        }
        self.upstreamsOf = upstreamsOf
        self.weights = weights
        self.visibility = visibility
        self.denominators = denominators
        let n = Double(max(view.votingCount, 1))
        upstreamShare = view.routesPerUpstream.mapValues { Double($0) / n }
        upstreamOwn = view.ownRoutesPerUpstream.mapValues { Double($0) / n }
        foreign = view.foreign.mapValues { $0.sorted() }
        peersUp = view.peersUpCount
        leaks = view.leaked.mapValues { $0.sorted() }
        var holders: [IPPrefix: [UInt32]] = [:]
        for route in view.foreign.keys where holders[route.prefix] == nil {
            holders[route.prefix] = view.holders(of: route.prefix)
        }
        self.holders = holders
        learning = view.isLearning(at: time)
        space = view.trackedSpace
        sawRIB = view.sawRIB
        relationshipsFromFile = view.leakJudge?.usesFile ?? false
    }

    /// Listed prefixes seen by at least `fraction` of their voting peers.
    public func prefixesUp(_ fraction: Double) -> Int { visibility.values.filter { $0 >= fraction }.count }
}
