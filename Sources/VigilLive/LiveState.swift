import BGP
import MRT
import Probing
import RISLive
import Vigil
import VigilStore

/// One target's part of the live state: what waits for the store, and the peers that carried its routes.
struct TargetLive {
    var batch: StoreBatch
    /// The detector's baseline as last committed.
    var storedBaseline = ""
    /// By the views' peer number: when each peer last carried a route into the target's space, and the
    /// numbers changed since the last commit (arrays: a dictionary would hash a peer's key on every route).
    var peerRoute: [Double?] = []
    var peersTouched: [Int] = []
    var peerTouched: [Bool] = []
    /// The probes' results per URL and bin not yet committed.
    var probeBins: [String: StoredProbeBin] = [:]
    /// The target's probe URLs, and the hosts they name (a traceroute is to a host).
    let probeURLs: Set<String>
    let probeHosts: Set<String>

    init(target: Target) {
        batch = StoreBatch(target: target.name)
        probeURLs = Set(target.probeURLs)
        probeHosts = Set(target.probeURLs.compactMap { (try? ProbeRequest($0))?.host })
    }

    /// Notes that peer `id` carried a route of this target (`route`: the time, when it changed the view).
    @inline(__always)
    mutating func touch(_ id: Int, route: Double?) {
        if id >= peerRoute.count {
            let n = id + 1 - peerRoute.count
            peerRoute += Array(repeating: nil, count: n)
            peerTouched += Array(repeating: false, count: n)
        }
        if let route { peerRoute[id] = route }
        if !peerTouched[id] {
            peerTouched[id] = true
            peersTouched.append(id)
        }
    }
}

/// The mutable part of `LiveEngine`, used under its lock: every target's monitor (one `TargetSet`, so a
/// route reaches only the monitors whose space it touches), and per target the batch of changes not yet
/// committed.
struct LiveState {
    /// The targets' pipelines: views, detectors, probes' monitors, bin clocks.
    var set: TargetSet
    /// Per target, in the set's order.
    var targets: [TargetLive]
    var counters = LiveCounters()
    var feeder = TargetSetFeeder()
    /// What happened since the engine last looked, for the console (told before the store is tried).
    var outputs: [LiveOutput] = []
    /// True while a RIB snapshot is loading: its peers' tables are half read, so nothing is looked at
    /// until `settleVotes`.
    var seeding = false
    /// By peer number: when each peer was last heard (any route, any target).
    var peerHeard: [Double] = []
    /// The last RIS Live peer looked up, and its number (messages of one peer come in runs).
    var lastRISPeer: (host: String, address: IPAddress, asn: UInt32, id: Int)?
    /// Stands in for the peer in events applied by number (the views do not read it).
    let placeholder = PeerKey(collector: "", address: .zero(.v4), asn: 0)
    /// The number the next event opened gets, whichever target opens it (one numbering for the store).
    var nextEventID = 1
    /// Route updates heard since the bins last closed (every target's bin counts them all).
    var binUpdates = 0
    /// Route rows and events waiting in the batches, over all targets.
    var pendingRoutes = 0
    var pendingEvents = 0
    /// The monitors whose watched state changed since they last looked, with the time of the change.
    var changedAt: [Double?]
    var changed: [Int] = []
    /// Scratch: the targets of the route at hand.
    var touched: [Int] = []
    /// The monitors that may have something to say since `collect` last looked (it looks at those alone:
    /// copying out every monitor's outputs after each message would cost the number of targets).
    var dirty: [Int] = []
    var isDirty: [Bool]
    /// Per monitor: its target's name, and the events it had opened and closed when last collected.
    let names: [String]
    var opened: [Int]
    var closed: [Int]
    /// Peer numbers by key (one lookup, where `TargetSet.id(of:)` asks every view).
    var peerIDs: [PeerKey: Int] = [:]

    init(targets: [Target], binSeconds: Double, thresholds: [Thresholds]?, relationships: ASRelationships? = nil) {
        set = TargetSet(
            monitors: targets.indices.map { i in
                // A country's space comes from its registry: its origins' routes outside the listed blocks
                // are learned, as replay does.
                let registry = targets[i].originsFromRegistry
                var monitor = TargetMonitor(
                    target: targets[i], binSeconds: binSeconds, thresholds: thresholds?[i], learnsOrigins: registry,
                    relationships: relationships, reportsOpenEvents: true, ticksAtBinEnds: false)
                // Live: a target found dark at start-up is an outage already under way. Not a country's:
                // a registry delegates space, it does not say the space is routed (a RIB leaves much of
                // it dark every day), so its first look is its baseline, as in replay.
                monitor.detector.assumesUpAtStart = !registry
                return monitor
            })
        self.targets = targets.map(TargetLive.init(target:))
        changedAt = Array(repeating: nil, count: targets.count)
        isDirty = Array(repeating: false, count: targets.count)
        names = targets.map(\.name)
        opened = Array(repeating: 0, count: targets.count)
        closed = Array(repeating: 0, count: targets.count)
    }

    /// True when more than one target is watched (a lone monitor needs no tally handed over).
    var many: Bool { self.set.monitors.count > 1 }

    // MARK: Sources

    /// Applies a RIS Live message; returns true when an event changed (commit now).
    mutating func apply(_ m: RISMessage) -> Bool {
        let id: Int
        if let last = lastRISPeer, last.address == m.peer, last.asn == m.peerASN, last.host == m.host {
            id = last.id
        } else {
            id = peerID(PeerKey(collector: m.host, address: m.peer, asn: m.peerASN))
            lastRISPeer = (m.host, m.peer, m.peerASN, id)
        }
        counters.risMessages += 1
        counters.lastHeard = max(counters.lastHeard, m.timestamp)
        closeBins(before: m.timestamp)
        switch m.kind {
        case .update:
            for p in m.withdrawn {
                apply(RouteEvent(time: m.timestamp, peer: placeholder, kind: .withdraw, prefix: p), peer: id)
            }
            for p in m.announced {
                apply(
                    RouteEvent(
                        time: m.timestamp, peer: placeholder, kind: .announce, prefix: p, origin: m.origin,
                        upstream: m.upstream), peer: id)
            }
            let n = m.announced.count + m.withdrawn.count
            counters.risRoutes += n
            binUpdates += n
        case .peerState:
            if let up = m.kind.sessionUp {
                counters.sessionChanges += 1
                apply(RouteEvent(time: m.timestamp, peer: placeholder, kind: up ? .peerUp : .peerDown), peer: id)
            }
        case .other:
            break
        }
        heard(id, at: m.timestamp)
        return observeChanged()
    }

    /// Applies route elements heard by `collector` (a BMP router, an MRT file); returns true when an event changed.
    mutating func apply(elements: [RouteElement], collector: String) -> Bool {
        guard let first = elements.first else { return false }
        var time = first.time
        closeBins(before: time)
        var lastKey: PeerKey?
        var id = 0
        var hits: [Int] = []
        for e in elements {
            if lastKey?.address != e.peerAddress || lastKey?.asn != e.peerASN {
                let key = PeerKey(collector: collector, address: e.peerAddress, asn: e.peerASN)
                id = peerID(key)
                lastKey = key
            }
            time = e.time
            guard let key = lastKey else { continue }
            if e.kind == .stateChange { counters.sessionChanges += 1 } else { counters.elementRoutes += 1 }
            heard(id, at: time)
            let ends = feeder.feed(e, peer: id, set: &set) { hits.append($0) }
            guard !hits.isEmpty else { continue }
            for i in hits {
                switch e.kind {
                case .announcement, .ribEntry:
                    targets[i].batch.announced.append(
                        StoredRoute(
                            peer: key, prefix: e.prefix, origin: ends?.origin, upstream: ends?.upstream, time: time))
                    pendingRoutes += 1
                case .withdrawal:
                    targets[i].batch.withdrawn.append((key, e.prefix))
                    pendingRoutes += 1
                case .stateChange:
                    if e.newState != 6 { targets[i].batch.peersDown.append(key) }
                }
                targets[i].touch(id, route: time)
                mark(i, time)
            }
            hits.removeAll(keepingCapacity: true)
        }
        binUpdates += elements.count
        counters.lastHeard = max(counters.lastHeard, time)
        return seeding ? collect() : observeChanged()
    }

    /// Applies normalized events (a router's peers gone, tests); returns true when an event changed.
    mutating func apply(_ events: [RouteEvent]) -> Bool {
        for e in events {
            closeBins(before: e.time)
            let id = peerID(e.peer)
            apply(e, peer: id)
            heard(id, at: e.time)
        }
        return observeChanged()
    }

    /// Applies one route event of peer `id` to the monitors it concerns (a session change to all), and
    /// keeps what changed for their stores.
    mutating func apply(_ event: RouteEvent, peer id: Int) {
        let key = event.kind == .peerUp || event.kind == .peerDown ? set.monitors[0].view.key(ofPeer: id) : nil
        if let key {
            for i in set.applyToAll(event, peer: id) { mark(i, event.time) }
            if event.kind == .peerDown {
                for i in targets.indices { targets[i].batch.peersDown.append(key) }
            }
            return
        }
        set.targets(
            prefix: event.prefix, origin: event.kind == .withdraw ? nil : event.origin, peer: id, into: &touched)
        if touched.isEmpty {
            set.count(peer: id, kind: event.kind, family: event.prefix.family, time: event.time)
            return
        }
        var counted = false
        for i in touched {
            let changed = set.apply(event, peer: id, to: i, counted: counted)
            counted = true
            targets[i].touch(id, route: changed ? event.time : nil)
            guard changed else { continue }
            let peer = set.monitors[i].view.key(ofPeer: id)
            if event.kind == .withdraw {
                targets[i].batch.withdrawn.append((peer, event.prefix))
            } else {
                targets[i].batch.announced.append(
                    StoredRoute(
                        peer: peer, prefix: event.prefix, origin: event.origin, upstream: event.upstream,
                        time: event.time))
            }
            pendingRoutes += 1
            mark(i, event.time)
        }
    }

    /// The number of peer `key` in every view.
    mutating func peerID(_ key: PeerKey) -> Int {
        if let id = peerIDs[key] { return id }
        let id = set.id(of: key)
        peerIDs[key] = id
        if id >= peerHeard.count { peerHeard += Array(repeating: 0, count: id + 1 - peerHeard.count) }
        return id
    }

    @inline(__always)
    mutating func heard(_ id: Int, at time: Double) { peerHeard[id] = max(peerHeard[id], time) }

    @inline(__always)
    mutating func mark(_ i: Int, _ time: Double) {
        if changedAt[i] == nil { changed.append(i) }
        changedAt[i] = time
    }

    // MARK: Clock and detection

    /// Runs `body` on monitor `i` with the shared event numbering, and with the peers' counts handed over.
    @inline(__always)
    mutating func withMonitor<T>(_ i: Int, _ body: (inout TargetMonitor) -> T) -> T {
        if many { set.sync(i) }
        if !isDirty[i] {
            isDirty[i] = true
            dirty.append(i)
        }
        set.monitors[i].detector.nextID = nextEventID
        defer { nextEventID = set.monitors[i].detector.nextID }
        return body(&set.monitors[i])
    }

    /// Closes the bins before `time` (all targets' bins end together), each with the updates heard in it.
    mutating func closeBins(before time: Double) {
        guard let first = set.monitors.first, first.binSeconds > 0 else { return }
        if let start = first.binStart, time < start + first.binSeconds { return }
        let updates = binUpdates
        for i in set.monitors.indices {
            withMonitor(i) { m in
                m.binUpdates += updates
                m.closeBins(before: time)
            }
        }
        binUpdates = 0
    }

    mutating func tick(now: Double) {
        closeBins(before: now)
        for i in set.monitors.indices { _ = withMonitor(i) { $0.tick(now: now) } }
        _ = collect()
    }

    /// Looks at the monitors whose state changed; returns true when an event opened, changed or closed.
    mutating func observeChanged() -> Bool {
        guard !seeding else { return collect() }
        for i in changed {
            guard let t = changedAt[i] else { continue }
            changedAt[i] = nil
            _ = withMonitor(i) { $0.observe(time: t) }
        }
        changed.removeAll(keepingCapacity: true)
        return collect()
    }

    /// Looks at every target at `time` (after a RIB snapshot); returns true when an event changed.
    mutating func observeAll(time: Double) -> Bool {
        for i in changed { changedAt[i] = nil }
        changed.removeAll(keepingCapacity: true)
        for i in set.monitors.indices { _ = withMonitor(i) { $0.observe(time: time) } }
        return collect()
    }

    /// Takes what the monitors said into the batches and the outputs; returns true when an event opened,
    /// changed or closed (commit now).
    mutating func collect() -> Bool {
        var any = false
        for i in dirty {
            isDirty[i] = false
            let name = names[i]
            for o in set.monitors[i].drain() {
                switch o {
                case .notice(let n):
                    outputs.append(.notice(n, target: name))
                case .opened(let e):
                    outputs.append(.opened(e))
                    targets[i].batch.events.append((e, true))
                    any = true
                case .updated(let e):
                    outputs.append(.updated(e))
                    targets[i].batch.events.append((e, true))
                    any = true
                case .closed(let e):
                    outputs.append(.closed(e))
                    targets[i].batch.events.append((e, false))
                    any = true
                case .bin(let b):
                    targets[i].batch.signals.append(b)
                }
            }
            counters.eventsOpened += set.monitors[i].eventsOpened - opened[i]
            counters.eventsClosed += set.monitors[i].eventsClosed - closed[i]
            opened[i] = set.monitors[i].eventsOpened
            closed[i] = set.monitors[i].eventsClosed
        }
        dirty.removeAll(keepingCapacity: true)
        if any { pendingEvents += 1 }
        return any
    }

    // MARK: Probes

    /// Adds one probe's result: to its bin, and to the data-plane monitor of every target that probes
    /// this URL (a lone target takes every result it is given).
    mutating func record(probe sample: ProbeSample, attempts: Int, error: String?) {
        for i in targets.indices where targets[i].probeURLs.contains(sample.host) || targets.count == 1 {
            let binSeconds = set.monitors[i].binSeconds
            let seconds = binSeconds > 0 ? binSeconds : 60
            let start = (sample.time / seconds).rounded(.down) * seconds
            let key = "\(start) \(sample.host)"
            var bin = targets[i].probeBins[key] ?? StoredProbeBin(url: sample.host, start: start, seconds: seconds)
            bin.add(reachable: sample.reachable, rttMs: sample.rttMs, attempts: attempts, error: error)
            targets[i].probeBins[key] = bin
            set.monitors[i].dataPlane.record(sample)
        }
    }

    /// Adds a traceroute to the targets that probe its host.
    mutating func record(trace: TraceSample) {
        for i in targets.indices where targets[i].probeHosts.contains(trace.host) || targets.count == 1 {
            set.monitors[i].dataPlane.record(trace: trace)
        }
    }

    // MARK: Store

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

    /// Records that a source gave no data from `start` (or that its gap ended): feed gaps belong to the
    /// feed, not to a target, so they travel in the first target's batch.
    mutating func gap(_ g: (source: String, start: Double, reason: String, end: Double?)) {
        targets[0].batch.gaps.append(g)
        pendingEvents += 1
    }

    /// Every target's batch (those with something to write), emptied here.
    mutating func takeBatches() -> [StoreBatch] {
        var out: [StoreBatch] = []
        for i in targets.indices {
            let baseline = Self.encode(set.monitors[i].detector.baseline)
            if baseline != targets[i].storedBaseline {
                targets[i].storedBaseline = baseline
                targets[i].batch.settings.append((Self.baselineKey(set.monitors[i].target.name), baseline))
            }
            var batch = targets[i].batch
            let view = set.monitors[i].view
            batch.peers = targets[i].peersTouched.map {
                StoredPeer(key: view.key(ofPeer: $0), lastHeard: peerHeard[$0], lastRoute: targets[i].peerRoute[$0])
            }
            batch.probes = targets[i].probeBins.values.sorted { ($0.start, $0.url) < ($1.start, $1.url) }
            targets[i].probeBins.removeAll(keepingCapacity: true)
            for id in targets[i].peersTouched { targets[i].peerTouched[id] = false }
            targets[i].peersTouched.removeAll(keepingCapacity: true)
            targets[i].batch = StoreBatch(target: batch.target)
            if !batch.isEmpty { out.append(batch) }
        }
        pendingRoutes = 0
        pendingEvents = 0
        return out
    }
}
