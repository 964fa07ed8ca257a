import BGP
import MRT
import Vigil

/// Feeds decoded route elements (from MRT files or BMP) into a routing view: routes that may concern the
/// target become events; the rest are only counted, a run of them from one peer at once (an UPDATE
/// carries many prefixes, a RIB record many peers). Shared by replay and live BMP, so both sources see
/// the target the same way.
public struct ElementFeeder {
    /// A run of uncounted routes from one peer.
    var batch = (id: -1, kind: RouteEvent.Kind.announce, family: IPAddress.Family.v4, time: 0.0, count: 0)
    /// A key to put in events whose peer is given by number.
    public let placeholder: PeerKey

    /// A feeder; `placeholder` stands in for the peer key in events (the view reads the peer's number).
    public init(placeholder: PeerKey = PeerKey(collector: "", address: .zero(.v4), asn: 0)) {
        self.placeholder = placeholder
    }

    /// Feeds one element of peer number `id` (from `view.id(of:)`); returns true when the watched state
    /// changed. `relevance` and `learns` are the view's, held by the caller for the length of a record.
    @inline(__always)
    public mutating func feed(
        _ e: MRTElement, peer id: Int, view: inout RoutingView, relevance: RelevanceFilter, learns: Bool
    ) -> Bool {
        let kind: RouteEvent.Kind
        var relevant: Bool
        var ends: (origin: UInt32, upstream: UInt32?)?
        switch e.kind {
        case .stateChange:
            flush(&view)
            let change: RouteEvent.Kind? = e.newState == 6 ? .peerUp : (e.oldState == 6 ? .peerDown : nil)
            guard let change else { return false }
            return view.apply(RouteEvent(time: e.time, peer: placeholder, kind: change), peer: id)
        case .ribEntry, .announcement:
            kind = e.kind == .ribEntry ? .ribEntry : .announce
            // Only routes that may matter pay for more than a range check and the origin.
            let origin = relevance.needsOrigin ? e.attributes.originASN : nil
            relevant = relevance.isRelevant(prefix: e.prefix, origin: origin) || (learns && view.isLearned(e.prefix))
            if relevant { ends = e.attributes.originAndUpstream }
            // An announcement may replace an upstream's own route with someone else's.
            if !relevant && view.holdsOwnRoute(peer: id, prefix: e.prefix) { relevant = true }
            // A sample of the other paths teaches the degree inference who neighbours whom.
            if !relevant && view.wantsPathSample(), let path = e.attributes.collapsedPath { view.observePath(path) }
        case .withdrawal:
            kind = .withdraw
            relevant =
                relevance.isRelevant(prefix: e.prefix, origin: nil) || (learns && view.isLearned(e.prefix))
                || view.holdsOwnRoute(peer: id, prefix: e.prefix)
        }
        if relevant {
            flush(&view)
            // Whole paths only for routes into the watched space (route leaks), not the upstreams' own.
            let path = kind == .withdraw || !view.wantsPath(of: e.prefix) ? [] : (e.attributes.collapsedPath ?? [])
            let event = RouteEvent(
                time: e.time, peer: placeholder, kind: kind, prefix: e.prefix, origin: ends?.origin,
                upstream: ends?.upstream, path: path)
            return view.apply(event, peer: id)
        }
        if batch.count > 0 && batch.id == id && batch.kind == kind && batch.family == e.prefix.family {
            batch.count += 1
        } else {
            flush(&view)
            batch = (id, kind, e.prefix.family, e.time, 1)
        }
        return false
    }

    /// Counts the pending run of unrelated routes into the view.
    @inline(__always)
    public mutating func flush(_ view: inout RoutingView) {
        guard batch.count > 0 else { return }
        view.count(peer: batch.id, time: batch.time, kind: batch.kind, family: batch.family, times: batch.count)
        batch.count = 0
    }
}

/// Feeds decoded route elements into a `TargetSet`: a route that concerns no target is counted once in the
/// set's tally; one that concerns some targets becomes an event for their monitors alone.
public struct TargetSetFeeder {
    /// A key to put in events whose peer is given by number.
    public let placeholder: PeerKey
    /// The targets of the element at hand (kept to reuse its storage; allocated only once a route
    /// concerns some target).
    private var touched: [Int] = []

    /// A feeder; `placeholder` stands in for the peer key in events (the views read the peer's number).
    public init(placeholder: PeerKey = PeerKey(collector: "", address: .zero(.v4), asn: 0)) {
        self.placeholder = placeholder
    }

    /// Feeds one element of peer number `id` (from `set.id(of:)`); calls `changed` with each monitor whose
    /// watched state changed.
    @inline(__always)
    public mutating func feed(_ e: MRTElement, peer id: Int, set: inout TargetSet, changed: (Int) -> Void) {
        let kind: RouteEvent.Kind
        switch e.kind {
        case .stateChange:
            let change: RouteEvent.Kind? = e.newState == 6 ? .peerUp : (e.oldState == 6 ? .peerDown : nil)
            guard let change else { return }
            for i in set.applyToAll(RouteEvent(time: e.time, peer: placeholder, kind: change), peer: id) { changed(i) }
            return
        case .ribEntry, .announcement:
            kind = e.kind == .ribEntry ? .ribEntry : .announce
            let origin = set.index.needsOrigin ? e.attributes.originASN : nil
            set.targets(prefix: e.prefix, origin: origin, peer: id, into: &touched)
            if touched.isEmpty {
                set.count(peer: id, kind: kind, family: e.prefix.family, time: e.time)
                if set.wantsPathSample(), let path = e.attributes.collapsedPath { set.takeSample(path) }
                return
            }
        case .withdrawal:
            kind = .withdraw
            set.targets(prefix: e.prefix, origin: nil, peer: id, into: &touched)
            if touched.isEmpty {
                set.count(peer: id, kind: kind, family: e.prefix.family, time: e.time)
                return
            }
        }
        let ends = kind == .withdraw ? nil : e.attributes.originAndUpstream
        var path: [UInt32]?
        var counted = false
        for i in touched {
            // Whole paths only for routes into a watched space (route leaks), not the upstreams' own.
            var p: [UInt32] = []
            if kind != .withdraw, set.monitors[i].view.wantsPath(of: e.prefix) {
                if path == nil { path = e.attributes.collapsedPath ?? [] }
                p = path ?? []
            }
            let event = RouteEvent(
                time: e.time, peer: placeholder, kind: kind, prefix: e.prefix, origin: ends?.origin,
                upstream: ends?.upstream, path: p)
            if set.apply(event, peer: id, to: i, counted: counted) { changed(i) }
            counted = true
        }
    }
}
