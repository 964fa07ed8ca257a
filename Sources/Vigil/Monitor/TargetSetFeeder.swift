import BGP

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
    /// watched state changed. Returns the route's origin and upstream when it concerns some target (read
    /// once here; the live engine's store rows take them from this).
    @inline(__always) @discardableResult
    public mutating func feed(_ e: RouteElement, peer id: Int, set: inout TargetSet, changed: (Int) -> Void) -> (
        origin: UInt32, upstream: UInt32?
    )? {
        let kind: RouteEvent.Kind
        switch e.kind {
        case .stateChange:
            let change: RouteEvent.Kind? = e.newState == 6 ? .peerUp : (e.oldState == 6 ? .peerDown : nil)
            guard let change else { return nil }
            for i in set.applyToAll(RouteEvent(time: e.time, peer: placeholder, kind: change), peer: id) { changed(i) }
            return nil
        case .ribEntry, .announcement:
            kind = e.kind == .ribEntry ? .ribEntry : .announce
            let origin = set.index.needsOrigin ? e.attributes.originASN : nil
            set.targets(prefix: e.prefix, origin: origin, peer: id, into: &touched)
            if touched.isEmpty {
                set.count(peer: id, kind: kind, family: e.prefix.family, time: e.time)
                if set.wantsPathSample(), let path = e.attributes.collapsedPath { set.takeSample(path) }
                return nil
            }
        case .withdrawal:
            kind = .withdraw
            set.targets(prefix: e.prefix, origin: nil, peer: id, into: &touched)
            if touched.isEmpty {
                set.count(peer: id, kind: kind, family: e.prefix.family, time: e.time)
                return nil
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
        return ends
    }
}
