import BGP
import MRT
import RISLive
import Vigil
import VigilReplay
import VigilStore

/// The mutable part of `LiveEngine`, used under its lock: the view, the detector, the bin clock and the
/// batch of changes not yet committed.
struct LiveState {
    /// The target's pipeline: view, detector, probes' monitor, bin clock.
    var monitor: TargetMonitor
    var batch: StoreBatch
    var counters = LiveCounters()
    var feeder = ElementFeeder()
    /// What happened since the engine last looked, for the console (told before the store is tried).
    var outputs: [LiveOutput] = []
    /// The detector's baseline as last committed.
    var storedBaseline = ""
    /// True while a RIB snapshot is loading: its peers' tables are half read, so nothing is looked at
    /// until `settleVotes`.
    var seeding = false
    /// Peer times not yet committed.
    /// By the view's peer number: when each peer was last heard and last carried a route into the watched
    /// space, and the numbers changed since the last commit (arrays: a dictionary would hash a peer's key
    /// on every message).
    var peerHeard: [Double] = []
    var peerRoute: [Double?] = []
    var peersTouched: [Int] = []
    var peerTouched: [Bool] = []
    /// The last RIS Live peer looked up, and its number (messages of one peer come in runs).
    var lastRISPeer: (host: String, address: IPAddress, asn: UInt32, id: Int)?
    /// Stands in for the peer in events applied by number (the view does not read it).
    let placeholder = PeerKey(collector: "", address: .zero(.v4), asn: 0)
    /// The probes' results per URL and bin not yet committed.
    var probeBins: [String: StoredProbeBin] = [:]

    init(target: Target, binSeconds: Double, thresholds: Thresholds?, relationships: ASRelationships? = nil) {
        monitor = TargetMonitor(
            target: target, binSeconds: binSeconds, thresholds: thresholds, relationships: relationships,
            reportsOpenEvents: true, ticksAtBinEnds: false)
        // Live: a target found dark at start-up is an outage already under way.
        monitor.detector.assumesUpAtStart = true
        batch = StoreBatch(target: target.name)
    }

    var pendingRoutes: Int { batch.announced.count + batch.withdrawn.count }

    // MARK: Sources

    /// Applies a RIS Live message; returns true when an event changed (commit now).
    mutating func apply(_ m: RISMessage) -> Bool {
        let id: Int
        if let last = lastRISPeer, last.address == m.peer, last.asn == m.peerASN, last.host == m.host {
            id = last.id
        } else {
            id = monitor.view.id(of: PeerKey(collector: m.host, address: m.peer, asn: m.peerASN))
            lastRISPeer = (m.host, m.peer, m.peerASN, id)
        }
        let key = placeholder
        counters.risMessages += 1
        counters.lastHeard = max(counters.lastHeard, m.timestamp)
        monitor.closeBins(before: m.timestamp)
        var changed = false
        var routeChanged = false
        switch m.kind {
        case .update:
            for p in m.withdrawn {
                if monitor.view.apply(RouteEvent(time: m.timestamp, peer: key, kind: .withdraw, prefix: p), peer: id) {
                    batch.withdrawn.append((monitor.view.key(ofPeer: id), p))
                    changed = true
                    routeChanged = true
                }
            }
            for p in m.announced {
                let event = RouteEvent(
                    time: m.timestamp, peer: key, kind: .announce, prefix: p, origin: m.origin, upstream: m.upstream)
                if monitor.view.apply(event, peer: id) {
                    batch.announced.append(
                        StoredRoute(
                            peer: monitor.view.key(ofPeer: id), prefix: p, origin: m.origin, upstream: m.upstream,
                            time: m.timestamp))
                    changed = true
                    routeChanged = true
                }
            }
            let n = m.announced.count + m.withdrawn.count
            counters.risRoutes += n
            monitor.binUpdates += n
        case .peerState(let state):
            let kind: RouteEvent.Kind? =
                state == "connected" || state == "up" ? .peerUp : (state == "down" ? .peerDown : nil)
            if let kind {
                counters.sessionChanges += 1
                if monitor.view.apply(RouteEvent(time: m.timestamp, peer: key, kind: kind), peer: id) { changed = true }
                if kind == .peerDown { batch.peersDown.append(monitor.view.key(ofPeer: id)) }
            }
        case .other:
            break
        }
        touch(id, heard: m.timestamp, route: routeChanged ? m.timestamp : nil)
        return changed ? observe(time: m.timestamp) : collect()
    }

    /// Applies route elements heard by `collector` (a BMP router, an MRT file); returns true when an event changed.
    mutating func apply(elements: [MRTElement], collector: String) -> Bool {
        guard let first = elements.first else { return false }
        let relevance = monitor.view.relevance
        let learns = monitor.view.learnsOrigins
        var changed = false
        var time = first.time
        monitor.closeBins(before: time)
        var lastKey: PeerKey?
        var id = 0
        for e in elements {
            if lastKey?.address != e.peerAddress || lastKey?.asn != e.peerASN {
                let key = PeerKey(collector: collector, address: e.peerAddress, asn: e.peerASN)
                id = monitor.view.id(of: key)
                lastKey = key
            }
            time = e.time
            guard let key = lastKey else { continue }
            if e.kind == .stateChange { counters.sessionChanges += 1 } else { counters.elementRoutes += 1 }
            guard feeder.feed(e, peer: id, view: &monitor.view, relevance: relevance, learns: learns) else { continue }
            changed = true
            switch e.kind {
            case .announcement, .ribEntry:
                let ends = e.attributes.originAndUpstream
                batch.announced.append(
                    StoredRoute(peer: key, prefix: e.prefix, origin: ends?.origin, upstream: ends?.upstream, time: time)
                )
            case .withdrawal:
                batch.withdrawn.append((key, e.prefix))
            case .stateChange:
                if e.newState != 6 { batch.peersDown.append(key) }
            }
            touch(id, heard: time, route: time)
        }
        feeder.flush(&monitor.view)
        monitor.binUpdates += elements.count
        counters.lastHeard = max(counters.lastHeard, time)
        return changed && !seeding ? observe(time: time) : collect()
    }

    /// Applies normalized events; returns true when an event changed.
    mutating func apply(_ events: [RouteEvent]) -> Bool {
        var changed = false
        var time = 0.0
        for e in events {
            monitor.closeBins(before: e.time)
            time = max(time, e.time)
            if monitor.view.apply(e) { changed = true }
        }
        return changed ? observe(time: time) : collect()
    }

    // MARK: Clock and detection

    mutating func tick(now: Double) {
        monitor.tick(now: now)
        _ = collect()
    }

    /// Looks at the signals after a change; returns true when an event opened, changed or closed.
    @discardableResult
    mutating func observe(time: Double) -> Bool {
        monitor.observe(time: time)
        return collect()
    }

    /// Takes what the monitor said into the batch and the outputs; returns true when an event opened,
    /// changed or closed (commit now).
    mutating func collect() -> Bool {
        var any = false
        for o in monitor.drain() {
            switch o {
            case .notice(let n):
                outputs.append(.notice(n))
            case .opened(let e):
                outputs.append(.opened(e))
                batch.events.append((e, true))
                any = true
            case .updated(let e):
                outputs.append(.updated(e))
                batch.events.append((e, true))
                any = true
            case .closed(let e):
                outputs.append(.closed(e))
                batch.events.append((e, false))
                any = true
            case .bin(let b):
                batch.signals.append(b)
            }
        }
        counters.eventsOpened = monitor.eventsOpened
        counters.eventsClosed = monitor.eventsClosed
        return any
    }

    // MARK: Probes

    /// Adds one probe's result: to its bin, and to the data-plane monitor.
    mutating func record(probe sample: ProbeSample, attempts: Int, error: String?) {
        let seconds = monitor.binSeconds > 0 ? monitor.binSeconds : 60
        let start = (sample.time / seconds).rounded(.down) * seconds
        let key = "\(start) \(sample.host)"
        var bin = probeBins[key] ?? StoredProbeBin(url: sample.host, start: start, seconds: seconds)
        bin.add(reachable: sample.reachable, rttMs: sample.rttMs, attempts: attempts, error: error)
        probeBins[key] = bin
        monitor.dataPlane.record(sample)
    }

    /// The baseline as one line of text: `share` and `own` maps of ASN to value.
    static func encode(_ b: (share: [UInt32: Double], own: [UInt32: Double])) -> String {
        func map(_ m: [UInt32: Double]) -> String {
            m.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
        return map(b.share) + ";" + map(b.own)
    }

    static func decode(_ text: String) -> (share: [UInt32: Double], own: [UInt32: Double]) {
        let halves = text.split(separator: ";", omittingEmptySubsequences: false)
        func map(_ s: Substring?) -> [UInt32: Double] {
            var out: [UInt32: Double] = [:]
            for pair in (s ?? "").split(separator: ",") {
                let kv = pair.split(separator: "=")
                if kv.count == 2, let k = UInt32(kv[0]), let v = Double(kv[1]) { out[k] = v }
            }
            return out
        }
        return (map(halves.first), map(halves.count > 1 ? halves[1] : nil))
    }

    static func baselineKey(_ target: String) -> String { "baseline:\(target)" }

    /// Notes when peer `id` was heard, and when it last carried a route into the watched space.
    @inline(__always)
    mutating func touch(_ id: Int, heard: Double, route: Double?) {
        if id >= peerHeard.count {
            let n = id + 1 - peerHeard.count
            peerHeard += Array(repeating: 0, count: n)
            peerRoute += Array(repeating: nil, count: n)
            peerTouched += Array(repeating: false, count: n)
        }
        peerHeard[id] = max(peerHeard[id], heard)
        if let route { peerRoute[id] = route }
        if !peerTouched[id] {
            peerTouched[id] = true
            peersTouched.append(id)
        }
    }

    mutating func takeBatch() -> StoreBatch {
        let baseline = Self.encode(monitor.detector.baseline)
        if baseline != storedBaseline {
            storedBaseline = baseline
            batch.settings.append((Self.baselineKey(monitor.view.target.name), baseline))
        }
        var out = batch
        out.peers = peersTouched.map {
            StoredPeer(key: monitor.view.key(ofPeer: $0), lastHeard: peerHeard[$0], lastRoute: peerRoute[$0])
        }
        out.probes = probeBins.values.sorted { ($0.start, $0.url) < ($1.start, $1.url) }
        probeBins.removeAll(keepingCapacity: true)
        for id in peersTouched { peerTouched[id] = false }
        peersTouched.removeAll(keepingCapacity: true)
        batch = StoreBatch(target: batch.target)
        return out
    }
}
