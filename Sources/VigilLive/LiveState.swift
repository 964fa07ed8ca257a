import BGP
import MRT
import RISLive
import Vigil
import VigilReplay
import VigilStore

/// The mutable part of `LiveEngine`, used under its lock: the view, the detector, the bin clock and the
/// batch of changes not yet committed.
struct LiveState {
    var view: RoutingView
    var detector: Detector
    let binSeconds: Double
    var binStart: Double?
    var binUpdates = 0
    var batch: StoreBatch
    /// The JSON of each open event as last committed, to commit it again only when it changed.
    var persisted: [Int: String] = [:]
    var counters = LiveCounters()
    var feeder = ElementFeeder()
    /// What happened since the last commit, for the console, delivered once committed.
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
    /// The probes' side of the diagnosis, and their results per URL and bin not yet committed.
    var dataPlane: DataPlaneMonitor
    var probeBins: [String: StoredProbeBin] = [:]

    init(target: Target, binSeconds: Double, thresholds: Thresholds?, relationships: ASRelationships? = nil) {
        view = RoutingView(target: target, thresholds: thresholds, leakJudge: LeakJudge(given: relationships))
        detector = Detector(target: target, thresholds: thresholds)
        // Live: a target found dark at start-up is an outage already under way.
        detector.assumesUpAtStart = true
        self.binSeconds = binSeconds
        batch = StoreBatch(target: target.name)
        dataPlane = DataPlaneMonitor(target: target, schedule: target.probeSchedule)
    }

    var pendingRoutes: Int { batch.announced.count + batch.withdrawn.count }

    // MARK: Sources

    /// Applies a RIS Live message; returns true when an event changed (commit now).
    mutating func apply(_ m: RISMessage) -> Bool {
        let id: Int
        if let last = lastRISPeer, last.address == m.peer, last.asn == m.peerASN, last.host == m.host {
            id = last.id
        } else {
            id = view.id(of: PeerKey(collector: m.host, address: m.peer, asn: m.peerASN))
            lastRISPeer = (m.host, m.peer, m.peerASN, id)
        }
        let key = placeholder
        counters.risMessages += 1
        counters.lastHeard = max(counters.lastHeard, m.timestamp)
        closeBins(before: m.timestamp)
        var changed = false
        var routeChanged = false
        switch m.kind {
        case .update:
            for p in m.withdrawn {
                if view.apply(RouteEvent(time: m.timestamp, peer: key, kind: .withdraw, prefix: p), peer: id) {
                    batch.withdrawn.append((view.key(ofPeer: id), p))
                    changed = true
                    routeChanged = true
                }
            }
            for p in m.announced {
                let event = RouteEvent(
                    time: m.timestamp, peer: key, kind: .announce, prefix: p, origin: m.origin, upstream: m.upstream)
                if view.apply(event, peer: id) {
                    batch.announced.append(
                        StoredRoute(
                            peer: view.key(ofPeer: id), prefix: p, origin: m.origin, upstream: m.upstream,
                            time: m.timestamp))
                    changed = true
                    routeChanged = true
                }
            }
            let n = m.announced.count + m.withdrawn.count
            counters.risRoutes += n
            binUpdates += n
        case .peerState(let state):
            let kind: RouteEvent.Kind? =
                state == "connected" || state == "up" ? .peerUp : (state == "down" ? .peerDown : nil)
            if let kind {
                counters.sessionChanges += 1
                if view.apply(RouteEvent(time: m.timestamp, peer: key, kind: kind), peer: id) { changed = true }
                if kind == .peerDown { batch.peersDown.append(view.key(ofPeer: id)) }
            }
        case .other:
            break
        }
        touch(id, heard: m.timestamp, route: routeChanged ? m.timestamp : nil)
        return changed ? observe(time: m.timestamp) : false
    }

    /// Applies route elements heard by `collector` (a BMP router, an MRT file); returns true when an event changed.
    mutating func apply(elements: [MRTElement], collector: String) -> Bool {
        guard let first = elements.first else { return false }
        let relevance = view.relevance
        let learns = view.learnsOrigins
        var changed = false
        var time = first.time
        closeBins(before: time)
        var lastKey: PeerKey?
        var id = 0
        for e in elements {
            if lastKey?.address != e.peerAddress || lastKey?.asn != e.peerASN {
                let key = PeerKey(collector: collector, address: e.peerAddress, asn: e.peerASN)
                id = view.id(of: key)
                lastKey = key
            }
            time = e.time
            guard let key = lastKey else { continue }
            if e.kind == .stateChange { counters.sessionChanges += 1 } else { counters.elementRoutes += 1 }
            guard feeder.feed(e, peer: id, view: &view, relevance: relevance, learns: learns) else { continue }
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
        feeder.flush(&view)
        binUpdates += elements.count
        counters.lastHeard = max(counters.lastHeard, time)
        return changed && !seeding ? observe(time: time) : false
    }

    /// Applies normalized events; returns true when an event changed.
    mutating func apply(_ events: [RouteEvent]) -> Bool {
        var changed = false
        var time = 0.0
        for e in events {
            closeBins(before: e.time)
            time = max(time, e.time)
            if view.apply(e) { changed = true }
        }
        return changed ? observe(time: time) : false
    }

    // MARK: Clock and detection

    mutating func tick(now: Double) {
        closeBins(before: now)
        detector.tick(now: now)
        evaluateDataPlane(now: now)
        _ = syncEvents()
    }

    // MARK: Probes

    /// Adds one probe's result: to its bin, and to the data-plane monitor.
    mutating func record(probe sample: ProbeSample, attempts: Int, error: String?) {
        let seconds = binSeconds > 0 ? binSeconds : 60
        let start = (sample.time / seconds).rounded(.down) * seconds
        let key = "\(start) \(sample.host)"
        var bin = probeBins[key] ?? StoredProbeBin(url: sample.host, start: start, seconds: seconds)
        bin.add(reachable: sample.reachable, rttMs: sample.rttMs, attempts: attempts, error: error)
        probeBins[key] = bin
        dataPlane.record(sample)
    }

    /// Re-weighs the probes against the routes, turning what changed into events, notices and notes.
    mutating func evaluateDataPlane(now: Double) {
        guard dataPlane.hasSamples else { return }
        let signals = TargetSignals(snapshotOf: view, time: now)
        let routesUp =
            signals.votingPeers > 0 && signals.visibility.count > 0
            ? Double(signals.prefixesUp(detector.thresholds.visibleFraction)) / Double(signals.visibility.count) : nil
        var next = detector.nextID
        let changes = dataPlane.evaluate(now: now, routesUp: routesUp, routingEvents: detector.openEvents()) {
            defer { next += 1 }
            return next
        }
        detector.nextID = next
        for change in changes {
            switch change {
            case .opened(let e):
                counters.eventsOpened += 1
                outputs.append(.opened(e))
                batch.events.append((e, true))
            case .updated(let e):
                outputs.append(.updated(e))
                batch.events.append((e, true))
            case .closed(let e):
                counters.eventsClosed += 1
                outputs.append(.closed(e))
                batch.events.append((e, false))
            case .notice(let n):
                outputs.append(.notice(n))
            case .routingNotes:
                break  // syncEvents adds the notes to the routing event and commits it again
            }
        }
    }

    /// Looks at the signals after a change; returns true when an event opened, changed or closed.
    @discardableResult
    mutating func observe(time: Double) -> Bool {
        for n in detector.observe(TargetSignals(changesOf: &view, time: time)) { outputs.append(.notice(n)) }
        return syncEvents()
    }

    mutating func syncEvents() -> Bool {
        var any = false
        for var e in detector.openEvents() {
            e.evidence += dataPlane.notes(for: e.id)
            let line = e.jsonLine
            guard persisted[e.id] != line else { continue }
            if persisted[e.id] == nil { counters.eventsOpened += 1 }
            outputs.append(persisted[e.id] == nil ? .opened(e) : .updated(e))
            persisted[e.id] = line
            batch.events.append((e, true))
            any = true
        }
        for var e in detector.drainFinished() {
            e.evidence += dataPlane.notes(for: e.id)
            if persisted.removeValue(forKey: e.id) == nil { counters.eventsOpened += 1 }
            counters.eventsClosed += 1
            outputs.append(.closed(e))
            batch.events.append((e, false))
            any = true
        }
        return any
    }

    mutating func closeBins(before time: Double) {
        // Sources check their times (UTCTime.checked); this guard keeps a time that slipped through from
        // looping over an absurd gap (start + binSeconds == start past 2^53 s).
        guard binSeconds > 0, time.isFinite, time >= UTCTime.earliest, time < UTCTime.end else { return }
        if binStart == nil { binStart = (time / binSeconds).rounded(.down) * binSeconds }
        while let start = binStart, time >= start + binSeconds {
            let end = start + binSeconds
            let s = TargetSignals(snapshotOf: view, time: end)
            batch.signals.append(
                StoredSignals(
                    target: view.target.name, start: start, seconds: binSeconds,
                    prefixesUp: s.prefixesUp(detector.thresholds.visibleFraction), prefixes: s.visibility.count,
                    votingPeers: s.votingPeers, updates: binUpdates, visibility: s.visibility,
                    upstreamShare: s.upstreamShare, darkShare: detector.darkShare, originShare: view.originShares()))
            binUpdates = 0
            binStart = end
            // A long silence would otherwise write one bin per minute of it: skip to the current bin.
            if time - end > 100 * binSeconds { binStart = (time / binSeconds).rounded(.down) * binSeconds }
        }
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
        let baseline = Self.encode(detector.baseline)
        if baseline != storedBaseline {
            storedBaseline = baseline
            batch.settings.append((Self.baselineKey(view.target.name), baseline))
        }
        var out = batch
        out.peers = peersTouched.map {
            StoredPeer(key: view.key(ofPeer: $0), lastHeard: peerHeard[$0], lastRoute: peerRoute[$0])
        }
        out.probes = probeBins.values.sorted { ($0.start, $0.url) < ($1.start, $1.url) }
        probeBins.removeAll(keepingCapacity: true)
        for id in peersTouched { peerTouched[id] = false }
        peersTouched.removeAll(keepingCapacity: true)
        batch = StoreBatch(target: batch.target)
        return out
    }
}
