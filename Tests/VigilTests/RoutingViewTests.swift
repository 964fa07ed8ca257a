import BGP
import Testing
import VigilTesting

@testable import Vigil

@Suite(.ownThread) struct RoutingViewTests {
    typealias H = ScenarioHarness
    let peer = H.peers[0]

    @Test func keepsOnlyTheWatchedSpaceAndTheUpstreamsOwnPrefixes() {
        var view = RoutingView(target: .northKorea)
        #expect(view.isRelevant(prefix: H.p176, origin: nil))
        #expect(view.isRelevant(prefix: IPPrefix("8.8.8.0/24")!, origin: 4837))  // an upstream's own prefix
        #expect(!view.isRelevant(prefix: IPPrefix("8.8.8.0/24")!, origin: 15169))
        view.apply(RouteEvent(time: 1, peer: peer, kind: .announce, prefix: H.p176, origin: 131279, upstream: 4837))
        view.apply(RouteEvent(time: 1, peer: peer, kind: .announce, prefix: H.unicomOwn, origin: 4837, upstream: 101))
        view.count(peer: peer, time: 1, kind: .announce, family: .v4)
        #expect(view.peers[peer]?.routes.count == 1)
        #expect(view.peers[peer]?.upstreamOwn == [H.unicomOwn: 4837])
        #expect(view.peers[peer]?.updates == 3)
    }

    @Test func aPeerMarkedKnownVotesOnPrefixesItHasNotShown() {
        var view = RoutingView(target: .northKorea)
        let other = H.peers[1]
        view.apply(RouteEvent(time: 1, peer: peer, kind: .announce, prefix: H.p176, origin: 131279, upstream: 4837))
        let i = view.trackedPrefixes.firstIndex(of: H.p176)!
        // Without a RIB, only the peer that showed the route speaks for it: seen by 1 of 1.
        #expect(view.visibility(ofTracked: i) == (1, 1))
        // A peer that carried the target's routes before a restart, and none now: seen by 1 of 2.
        view.markKnown(peer: view.id(of: other))
        #expect(view.visibility(ofTracked: i) == (1, 2))
        #expect(view.votingPeers.count == 2)
    }

    @Test(
        "a foreign more-specific does not make a peer speak for the covering prefix; a route to the prefix itself does")
    func foreignMoreSpecificsDoNotVote() {
        var view = RoutingView(target: .northKorea)
        let (a, b, c) = (H.peers[0], H.peers[1], H.peers[2])
        let i = view.trackedPrefixes.firstIndex(of: H.p176)!
        view.apply(RouteEvent(time: 1, peer: a, kind: .announce, prefix: H.p176, origin: 131279, upstream: 4837))
        // b hears only a hijacker's /25 inside 175.45.176.0/24: it is not a voter for the /24.
        let half = IPPrefix("175.45.176.0/25")!
        view.apply(RouteEvent(time: 2, peer: b, kind: .announce, prefix: half, origin: 64666, upstream: 3491))
        #expect(view.visibility(ofTracked: i) == (1, 1))
        // c hears the /24 itself from the hijacker: it speaks for the /24 and does not see the target there.
        view.apply(RouteEvent(time: 3, peer: c, kind: .announce, prefix: H.p176, origin: 64666, upstream: 3491))
        #expect(view.visibility(ofTracked: i) == (1, 2))
    }

    @Test func sessionDownForgetsThePeersRoutes() {
        var view = RoutingView(target: .northKorea)
        view.apply(RouteEvent(time: 1, peer: peer, kind: .announce, prefix: H.p176, origin: 131279, upstream: 4837))
        let changed = view.apply(RouteEvent(time: 2, peer: peer, kind: .peerDown))
        #expect(changed)
        #expect(view.peers[peer]?.routes.isEmpty == true)
        #expect(view.votingPeers.isEmpty)
        #expect(view.fullFeedPeerCount == 1)  // still counted for feed health
    }

    @Test func onlyFullFeedsVoteOnceARIBIsSeen() {
        var target = Target.northKorea
        target.thresholds.fullFeedIPv4 = 2
        var view = RoutingView(target: target)
        let small = H.peers[1]
        for _ in 0..<3 { view.count(peer: peer, time: 0, kind: .ribEntry, family: .v4) }
        view.count(peer: small, time: 0, kind: .ribEntry, family: .v4)
        view.refreshAllVotes()
        // 3 routes > 2: a full feed; 1 route: a partial feed that does not vote.
        #expect(view.votingPeers == [peer])
    }

    @Test func visibilityCountsMoreSpecificsOfTheRightOriginOnly() {
        var view = RoutingView(target: .northKorea)
        let other = H.peers[1]
        view.apply(
            RouteEvent(
                time: 1, peer: peer, kind: .announce, prefix: IPPrefix("175.45.178.0/25")!, origin: 131279,
                upstream: 4837))
        view.apply(
            RouteEvent(
                time: 1, peer: other, kind: .announce, prefix: IPPrefix("175.45.178.0/25")!, origin: 64666,
                upstream: 6939))
        let s = TargetSignals(snapshotOf: view, time: 1)
        // Peer 1's legitimate /25 makes .178 visible there. Peer 2 has shown only a foreign /25 inside it
        // (a more-specific hijack), so without a RIB it does not speak for .178 at all: seen by 1 of 1.
        // A more-specific hijack is a hijack event, never the covering prefix going dark.
        #expect(s.visibility[H.p178] == 1)
        #expect(s.denominators[H.p178] == 1)
        #expect(s.foreign[ForeignRoute(prefix: IPPrefix("175.45.178.0/25")!, origin: 64666)] == [other])
    }
}
