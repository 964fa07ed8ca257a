import BGP
import Vigil

/// Builds hand-made event sequences against a small North-Korea-like world and runs them through the
/// routing view and the detector, as the replay does. Tests state the expected verdicts themselves.
struct ScenarioHarness {
    static func prefix(_ text: String) -> IPPrefix {
        guard let p = IPPrefix(text) else { preconditionFailure("not a prefix: \(text)") }
        return p
    }

    static let p176 = prefix("175.45.176.0/24")
    static let p177 = prefix("175.45.177.0/24")
    static let p178 = prefix("175.45.178.0/24")
    static let p179 = prefix("175.45.179.0/24")
    static let unicomOwn = prefix("221.192.0.0/14")
    static let ttkOwn = prefix("188.43.0.0/16")
    static let target = Target.northKorea

    /// Four peers, AS 101...104, each a full feed (no RIB is given, so every peer votes).
    static let peers = (1...4).map {
        PeerKey(collector: "test", address: IPAddress(v4: 0x0A00_0000 + UInt32($0)), asn: UInt32(100 + $0))
    }

    /// The pipeline replay and live monitoring drive, driven the same way.
    var monitor = TargetMonitor(
        target: ScenarioHarness.target, binSeconds: 0, reportsOpenEvents: false, ticksAtBinEnds: true)
    var notices: [TimelineNotice] = []
    var events: [DetectedEvent] = []

    /// Sends one event through the view and, when it changed something, the detector.
    mutating func send(_ e: RouteEvent) {
        if monitor.view.apply(e) {
            monitor.observe(time: e.time)
            collect()
        }
    }

    /// Keeps the monitor's notices and final events.
    mutating func collect() {
        for o in monitor.drain() {
            switch o {
            case .notice(let n): notices.append(n)
            case .closed(let e): events.append(e)
            case .opened, .updated, .bin: break
            }
        }
    }

    mutating func announce(
        _ peer: Int, _ prefix: IPPrefix, origin: UInt32 = 131279, via upstream: UInt32?, at t: Double
    ) {
        send(
            RouteEvent(
                time: t, peer: Self.peers[peer - 1], kind: .announce, prefix: prefix, origin: origin, upstream: upstream
            ))
    }

    mutating func withdraw(_ peer: Int, _ prefix: IPPrefix, at t: Double) {
        send(RouteEvent(time: t, peer: Self.peers[peer - 1], kind: .withdraw, prefix: prefix))
    }

    mutating func session(_ peer: Int, up: Bool, at t: Double) {
        send(RouteEvent(time: t, peer: Self.peers[peer - 1], kind: up ? .peerUp : .peerDown))
    }

    /// The baseline of DESIGN.md's facts: .176 only via AS4837, .177 only via AS20485, .178 and .179 via
    /// AS4837 at peers 1-2 and via AS20485 at peers 3-4; both upstreams' own prefixes at every peer.
    mutating func baseline(at t: Double = 0) {
        for peer in 1...4 {
            announce(peer, Self.p176, via: 4837, at: t)
            announce(peer, Self.p177, via: 20485, at: t)
            let dual: UInt32 = peer <= 2 ? 4837 : 20485
            announce(peer, Self.p178, via: dual, at: t)
            announce(peer, Self.p179, via: dual, at: t)
            announce(peer, Self.unicomOwn, origin: 4837, via: UInt32(100 + peer), at: t)
            announce(peer, Self.ttkOwn, origin: 20485, via: UInt32(100 + peer), at: t)
        }
    }

    /// Ends the run and returns every event.
    mutating func finish() -> [DetectedEvent] {
        monitor.finish()
        collect()
        return events
    }
}
