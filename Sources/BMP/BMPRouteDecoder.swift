import BGP

/// Turns BMP messages into the same route elements as MRT files give (announcements, withdrawals and
/// session changes), so everything downstream of decoding is shared.
///
/// A router may report one peer several times: its Adj-RIB-In before policy, after policy, its Adj-RIB-Out
/// and its Loc-RIB. Counting them all would count one peer's view several times, so only the views in
/// `views` are turned into elements (by default pre-policy Adj-RIB-In, what the peer itself announced,
/// and Loc-RIB); the others are counted in `skippedOtherViews`.
public struct BMPRouteDecoder {
    /// The RIB views a router can report.
    public enum View: Hashable, Sendable, CaseIterable {
        case prePolicy
        case postPolicy
        case adjRIBOut
        case locRIB
    }

    /// The views turned into elements.
    public var views: Set<View>
    /// The UPDATE decoder shared with MRT.
    public var decoder = UpdateDecoder()
    /// Route Monitoring messages skipped because their view is not in `views`.
    public private(set) var skippedOtherViews = 0
    /// Take times from the per-peer headers (right for recorded BMP from routers that fill them in);
    /// otherwise the time a message arrived is its time. FRR 8.4 fills them with one constant time per
    /// session and Peer Up/Down times off by the machine's uptime, so arrival is the default.
    public var usesRouterTimestamps: Bool

    /// A decoder for `views`.
    public init(views: Set<View> = [.prePolicy, .locRIB], usesRouterTimestamps: Bool = false) {
        self.views = views
        self.usesRouterTimestamps = usesRouterTimestamps
    }

    /// The view a per-peer header reports.
    public static func view(of peer: BMPPeerHeader) -> View {
        if peer.isLocRIB { return .locRIB }
        if peer.isAdjRIBOut { return .adjRIBOut }
        return peer.isPostPolicy ? .postPolicy : .prePolicy
    }

    /// Calls `visit` with the elements of one framed message: the routes of a Route Monitoring message, or
    /// a state change for Peer Up (to Established) and Peer Down (to Idle). `now` is the arrival time: the
    /// elements' time unless `usesRouterTimestamps` (and then still for a zero timestamp). Other message
    /// types yield nothing.
    public mutating func elements(of frame: BMPFrame, now: Double, _ visit: (RouteElement) -> Void) -> DecodingOutcome {
        guard let kind = BMPMessageType(rawValue: frame.type),
            kind == .routeMonitoring || kind == .peerUp || kind == .peerDown, let peer = frame.peer
        else { return .decoded }
        guard views.contains(Self.view(of: peer)) else {
            if kind == .routeMonitoring { skippedOtherViews += 1 }
            return .decoded
        }
        var seconds = peer.seconds
        var micros = peer.microseconds
        // A router's time more than five minutes ahead of ours is not believed (one message from 2100 would
        // move the bin clock there): the arrival time stands in, as for a zero timestamp.
        if seconds == 0 || !usesRouterTimestamps || Double(seconds) > now + 300 {
            let t = now.isFinite ? min(max(now, 0), Double(UInt32.max)) : 0
            seconds = UInt32(t)
            micros = min(999_999, UInt32((t - t.rounded(.down)) * 1_000_000))
        }
        var element = RouteElement(
            kind: .announcement, timestamp: seconds, microseconds: micros,
            carrier: .init(format: .bmp, type: UInt16(frame.type), offset: frame.offset))
        element.peerAddress = peer.address
        element.peerASN = peer.asn
        switch kind {
        case .routeMonitoring:
            return decoder.decodeMessage(
                frame.bgpMessage, asnSize: peer.usesTwoByteASNs ? 2 : 4, element: &element, visit)
        default:
            element.kind = .stateChange
            element.oldState = kind == .peerUp ? 5 : 6
            element.newState = kind == .peerUp ? 6 : 1
            visit(element)
            return .decoded
        }
    }
}
