import BGP

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
        _ e: RouteElement, peer id: Int, view: inout RoutingView, relevance: RelevanceFilter, learns: Bool
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
