import BGP
import Foundation
import MRT
import RISLive
import Synchronization
import Vigil
import VigilClock
import VigilStore

/// What live monitoring reports as it goes: told before the store is tried, so a failing store never
/// delays it.
public enum LiveOutput: Sendable {
    /// A change worth a timeline line, for the named target.
    case notice(TimelineNotice, target: String)
    /// An event opened (committed as open).
    case opened(DetectedEvent)
    /// An open event changed (scope, cause, end).
    case updated(DetectedEvent)
    /// An event is final.
    case closed(DetectedEvent)
    /// A commit failed: what went wrong, what waits for the store, and when it is tried again. Said once
    /// when the store starts failing; the events keep being reported (and waiting) meanwhile.
    case storeFailing(StoreHealth)
    /// The store took everything that waited, after failing since `since`.
    case storeRecovered(since: Double, written: String)
}

/// What live monitoring has counted so far, for `vigil status` and the metrics.
public struct LiveCounters: Sendable, Equatable {
    /// RIS Live `ris_message` frames applied, and route announcements and withdrawals in them.
    public var risMessages = 0
    public var risRoutes = 0
    /// Route elements applied from BMP routers and RIB files.
    public var elementRoutes = 0
    /// Session changes (RIS_PEER_STATE, BMP Peer Up/Down, MRT state changes).
    public var sessionChanges = 0
    /// Events opened, and events closed.
    public var eventsOpened = 0
    public var eventsClosed = 0
    /// Commits to the store.
    public var commits = 0
    /// RIS Live frames skipped as unreadable or out of bounds (a bad timestamp, nesting too deep), and BMP
    /// messages that could not be decoded: reported one by one on the console, counted here.
    public var risSkipped = 0
    public var bmpSkipped = 0
    /// BMP connections closed at accept (an address not allowed, or too many routers).
    public var bmpRefused = 0
    /// Time of the last route heard from any source.
    public var lastHeard: Double = 0

    /// The counters as one JSON object.
    public var json: String {
        var o = JSONObject()
        o.add("ris_messages", risMessages)
        o.add("ris_routes", risRoutes)
        o.add("element_routes", elementRoutes)
        o.add("session_changes", sessionChanges)
        o.add("events_opened", eventsOpened)
        o.add("events_closed", eventsClosed)
        o.add("commits", commits)
        o.add("ris_skipped", risSkipped)
        o.add("bmp_skipped", bmpSkipped)
        o.add("bmp_refused", bmpRefused)
        o.add("last_heard", lastHeard > 0 ? UTCTime.iso(lastHeard) : nil)
        return o.closed
    }
}

/// The live pipeline's state: a `TargetMonitor` per target watched (routing view, detector, bin clock)
/// in one `TargetSet`, fed by any number of sources from any task, and the store it commits to.
///
/// Detection code is the replay's: sources only turn their messages into `RouteEvent`s (RIS Live) or
/// route elements (BMP, through the `TargetSetFeeder` replay uses), and a route reaches only the monitors
/// whose space it touches. An event is committed in the same step that opens, changes or closes it,
/// together with the routes that caused it, and every target's changes go in one transaction.
public final class LiveEngine: Sendable {
    /// The targets watched, in the order given.
    public let targets: [Target]
    /// The first target watched (the only one, for most watches).
    public var target: Target { targets[0] }
    /// Where history goes (nil: nowhere, for benchmarks).
    public let store: History?
    private let state: Locked<LiveState>
    /// The engine's own thread for store calls. A commit may wait seconds (SQLite's busy timeout while
    /// another process holds the lock, a slow disk): it waits there, never on Swift's cooperative pool or
    /// a NIO event loop, so the sources, the clock, the server and `/healthz` go on meanwhile. Serial, so
    /// batches reach the store in the order they were taken.
    private let writer = StoreThread(label: "vigil.store-writer")
    /// Whether a commit is queued on `writer` and not started yet (one is enough: it takes everything).
    private let queued = Atomic<Bool>(false)
    /// What failed to commit until the store takes it, and when to try again; touched on `writer` only.
    private let committing = Mutex<CommitState>(CommitState())
    /// The commit state as the last commit left it, published at once: readers (`/healthz`, the health
    /// report, the dispatcher's unstored events) never wait for a commit under way, which may wait seconds
    /// for a lock held elsewhere.
    private let published = Mutex<CommitState>(CommitState())
    /// Where the health is reported beside the store (for `vigil status`), as soon as it changes.
    private let healthFile = Mutex<StoreHealthFile?>(nil)
    /// Wall time, for the store's failure and its retries.
    private let clock: @Sendable () -> Double

    /// What waits for the store while its commits fail, and when to try again.
    struct CommitState {
        var waiting: [StoreBatch]?
        var health = StoreHealth()
        var retryAt = 0.0
    }

    /// The first retry after a failed commit comes after this many seconds, doubling per failure up to
    /// `maxRetryDelay`: a full disk or a lock held elsewhere is not hammered, and space freed is used soon.
    static let firstRetryDelay = 1.0
    static let maxRetryDelay = 15.0
    /// While the store fails, each step's changes stay in the state's own batch until a retry is due,
    /// unless it holds more route rows than this: then it is coalesced into the waiting batch at once.
    static let holdLimit = 50_000

    /// Receives what happened, as it happens.
    private let output: (@Sendable (LiveOutput) -> Void)?

    /// An engine for `target`, binning signals every `binSeconds`, committing to `store`, reporting to
    /// `output`.
    public convenience init(
        target: Target, store: History?, binSeconds: Double = 60, thresholds: Thresholds? = nil,
        relationships: ASRelationships? = nil, clock: @escaping @Sendable () -> Double = LiveEngine.wallClock,
        output: (@Sendable (LiveOutput) -> Void)? = nil
    ) {
        self.init(
            targets: [target], store: store, binSeconds: binSeconds, thresholds: thresholds.map { [$0] },
            relationships: relationships, clock: clock, output: output)
    }

    /// An engine for several targets at once (`thresholds`, when given, one per target), fed by one set of
    /// sources and committing to one store.
    public init(
        targets: [Target], store: History?, binSeconds: Double = 60, thresholds: [Thresholds]? = nil,
        relationships: ASRelationships? = nil, clock: @escaping @Sendable () -> Double = LiveEngine.wallClock,
        output: (@Sendable (LiveOutput) -> Void)? = nil
    ) {
        precondition(!targets.isEmpty, "an engine watches at least one target")
        precondition(thresholds == nil || thresholds?.count == targets.count, "one thresholds per target")
        self.targets = targets
        self.store = store
        self.output = output
        self.clock = clock
        state = Locked(
            LiveState(targets: targets, binSeconds: binSeconds, thresholds: thresholds, relationships: relationships))
    }

    /// Restores what a previous run left in the store, for every target: its routes (the state it stopped
    /// in), its open outages (continued under their ids), and the numbering of events. Nothing is looked at
    /// until `settleVotes()`, so a RIB may be loaded in between (when the store held no routes).
    public func resume(now: Double) throws(StoreError) -> ResumeSummary {
        guard let store else { return ResumeSummary() }
        var kept: [(routes: [StoredRoute], recent: [StoredPeer], open: [DetectedEvent], baseline: String?)] = []
        for target in targets {
            try store.save(target: target)
            kept.append(
                (
                    try store.routes(target: target.name),
                    try store.peers(target: target.name).filter { ($0.lastRoute ?? 0) > now - 86400 },
                    try store.events(target: target.name, open: true),
                    try store.setting(LiveState.baselineKey(target.name))
                ))
        }
        let next = try store.nextEventID()
        try store.closeOpenFeedGaps(end: now)
        return state.withLock { s in
            s.seeding = true
            s.nextEventID = max(s.nextEventID, next)
            var summary = ResumeSummary()
            for (i, k) in kept.enumerated() {
                if let baseline = k.baseline {
                    s.set.monitors[i].detector.baseline = LiveState.decode(baseline)
                    s.targets[i].storedBaseline = baseline
                }
                for e in k.open {
                    if ![.hijack, .feedProblem, .dataPlane, .attack].contains(e.cause) && e.end == nil {
                        s.set.monitors[i].detector.resume(e)
                        s.set.monitors[i].reported[e.id] = e
                        s.nextEventID = max(s.nextEventID, e.id + 1)
                        summary.resumedEvents += 1
                    } else {
                        // Hijacks, feed problems and data-plane events are found again from the current
                        // state (the probes start afresh); an old open one, and an outage that had already
                        // ended, are closed.
                        var closed = e
                        closed.end = closed.end ?? now
                        s.targets[i].batch.events.append((closed, false))
                        s.pendingEvents += 1
                    }
                }
                // The target's own routes, into its view alone.
                for r in k.routes {
                    let id = s.peerID(r.peer)
                    _ = s.set.monitors[i].view.apply(
                        RouteEvent(
                            time: r.time, peer: r.peer, kind: .announce, prefix: r.prefix, origin: r.origin,
                            upstream: r.upstream), peer: id)
                    s.counters.lastHeard = max(s.counters.lastHeard, r.time)
                }
                // Without a RIB, the peers that carried a route to the target in the last 24 hours vote.
                for p in k.recent { s.set.monitors[i].view.markKnown(peer: s.peerID(p.key)) }
                summary.routes += k.routes.count
                summary.recentPeers += k.recent.count
            }
            return summary
        }
    }

    /// What `resume(now:)` restored.
    public struct ResumeSummary: Sendable, Equatable {
        /// Routes put back into the view.
        public var routes = 0
        /// Open outages continued.
        public var resumedEvents = 0
        /// Peers that carried a route to the target in the last 24 hours (they vote without a RIB), summed
        /// over the targets.
        public var recentPeers = 0
    }

    // MARK: Sources

    /// Applies one RIS Live message; `collector` names its host (RIS's "rrc00").
    public func apply(_ m: RISMessage) {
        let urgent = state.withLock { s in s.apply(m) }
        commitIfDue(urgent: urgent)
    }

    /// Counts a RIS Live frame that was skipped (unreadable, or a time out of bounds).
    public func noteSkippedRISFrame() { state.withLock { $0.counters.risSkipped += 1 } }

    /// Counts a BMP message or run of bytes that was skipped.
    public func noteSkippedBMP() { state.withLock { $0.counters.bmpSkipped += 1 } }

    /// Counts a BMP connection closed at accept.
    public func noteRefusedBMP() { state.withLock { $0.counters.bmpRefused += 1 } }

    /// Applies route elements (from one BMP message or one MRT record) heard by `collector`.
    public func apply(elements: [RouteElement], collector: String) {
        // The elements borrow the caller's buffer, which outlives this synchronous call.
        nonisolated(unsafe) let borrowed = elements
        let urgent = state.withLock { s in s.apply(elements: borrowed, collector: collector) }
        commitIfDue(urgent: urgent)
    }

    /// A BMP router's connection ended: its peers' sessions are unknown from now on, so they leave the
    /// vote as if their sessions went down (a feed problem, never withdrawals of the target).
    public func routerLost(_ router: String, at time: Double) {
        let urgent = state.withLock { s in
            let peers = s.set.monitors[0].view.peers.filter { $0.key.collector == router && $0.value.up }.map(\.key)
                .sorted()
            return s.apply(peers.map { RouteEvent(time: time, peer: $0, kind: .peerDown) })
        }
        commitIfDue(urgent: urgent)
    }

    /// A RIB snapshot starts loading: nothing is looked at until `settleVotes()`.
    public func beginSeeding() { state.withLock { $0.seeding = true } }

    /// Re-checks every peer's vote after a RIB snapshot was loaded, and looks at the target.
    public func settleVotes() {
        let urgent = state.withLock { s in
            s.seeding = false
            for i in s.set.monitors.indices {
                if s.many { s.set.sync(i) }
                s.set.monitors[i].view.refreshAllVotes()
            }
            return s.observeAll(time: s.counters.lastHeard)
        }
        commitIfDue(urgent: urgent)
    }

    /// Applies already normalized events (seeding from a RIB, tests).
    public func apply(_ events: [RouteEvent]) {
        let urgent = state.withLock { s in s.apply(events) }
        commitIfDue(urgent: urgent)
    }

    /// Adds one probe's result (`attempts` tries sent, `error` when it failed); the next tick weighs it.
    public func record(probe sample: ProbeSample, attempts: Int, error: String?) {
        state.withLock { $0.record(probe: sample, attempts: attempts, error: error) }
    }

    /// Adds a traceroute to one of the probed hosts.
    public func record(trace: TraceSample) {
        state.withLock { $0.record(trace: trace) }
    }

    /// What the first target's probes say now.
    public var dataPlaneVerdict: DataPlaneVerdict { state.withLock { $0.set.monitors[0].dataPlane.verdict } }

    /// Advances the clock: closes bins, finalizes events, and has what is pending committed (on the
    /// engine's store thread; a failing store is tried again when its back-off allows).
    public func tick(now: Double) {
        state.withLock { s in s.tick(now: now) }
        commitIfDue(urgent: true)
    }

    /// Records that a source gave no data from `start` (never read as withdrawals), in the next commit:
    /// a gap that begins while the store fails waits with the rest.
    public func feedGap(source: String, start: Double, reason: String) {
        state.withLock { $0.gap((source, start, reason, nil)) }
        commitIfDue(urgent: true)
    }

    /// Ends the source's gap that began at `start`.
    public func endFeedGap(source: String, start: Double, end: Double) {
        state.withLock { $0.gap((source, start, "", end)) }
        commitIfDue(urgent: true)
    }

    /// Ends the run: commits everything; open events stay open in the store, to be resumed. Throws when
    /// the store still fails, saying what was not written.
    public func shutdown(now: Double) throws(StoreError) {
        state.withLock { s in s.tick(now: now) }
        tell()
        writer.queue.sync { commitNow(force: true) }
        let health = storeHealth
        if health.isFailing {
            throw StoreError(
                "the store failed since \(UTCTime.iso(health.failingSince ?? now)) (\(health.error ?? "")); not written: \(health.waiting)"
            )
        }
    }

    /// Reports the store's health in `file` as soon as a commit finds the store failing, each failed
    /// retry, and the recovery (the watch's clock also reports it every few seconds).
    public func reportHealth(to file: StoreHealthFile?) { healthFile.withLock { $0 = file } }

    /// Commits what is pending now and waits for every commit asked before (a failing store is tried
    /// only when its back-off allows). For readers of the store that need what the engine saw so far.
    public func commitPending() {
        tell()
        writer.queue.sync { commitNow(force: false) }
    }

    /// Runs `work` with the store on the engine's store thread, after the commits asked before it, unless
    /// the store fails by then (bookkeeping such as the heartbeat and pruning waits while it fails; the
    /// engine reports the failure and keeps the events). Returns at once.
    public func withStore(_ work: @escaping @Sendable (History) -> Void) {
        guard let store else { return }
        writer.queue.async {
            guard !self.storeHealth.isFailing else { return }
            work(store)
        }
    }

    // MARK: Reading

    /// The counters.
    public var counters: LiveCounters { state.withLock { $0.counters } }

    /// Whether the store takes the commits, and what waits for it, as the last commit left it (never
    /// waits for a commit under way).
    public var storeHealth: StoreHealth {
        let (health, retryAt) = published.withLock { ($0.health, $0.retryAt) }
        var h = health
        if h.isFailing { h.retryIn = max(0, retryAt - clock()) }
        return h
    }

    /// While the store fails: the events it has not taken (each in its last state, and whether it is
    /// open), for alerts that cannot wait for the store. Nil while the store works.
    public var unstoredEvents: [(event: DetectedEvent, open: Bool)]? {
        // Not behind the commit lock: a commit under way may wait seconds for a lock held elsewhere.
        guard let waiting = published.withLock({ $0.waiting }) else { return nil }
        let held = state.withLock { s in s.targets.map(\.batch) }
        var out: [(event: DetectedEvent, open: Bool)] = []
        for (e, open) in StoreBatch.merged(waiting, then: held).flatMap(\.events) {
            if let i = out.firstIndex(where: { $0.event.id == e.id }) {
                out[i] = (e, open)
            } else {
                out.append((e, open))
            }
        }
        return out
    }

    /// The wall clock, seconds since the epoch.
    @Sendable public static func wallClock() -> Double { Date().timeIntervalSince1970 }

    /// The events open now, of every target.
    public var openEvents: [DetectedEvent] {
        state.withLock { s in s.set.monitors.flatMap { $0.detector.openEvents() } }
    }

    /// The first target's signals right now.
    public func signals(now: Double) -> TargetSignals { signals(at: 0, now: now) }

    /// The named target's signals right now (nil: no such target watched).
    public func signals(of name: String, now: Double) -> TargetSignals? {
        targets.firstIndex { $0.name == name }.map { signals(at: $0, now: now) }
    }

    private func signals(at i: Int, now: Double) -> TargetSignals {
        state.withLock { s in
            if s.many { s.set.sync(i) }
            return TargetSignals(snapshotOf: s.set.monitors[i].view, time: now)
        }
    }

    /// Which voting rule is in force: a RIB's full-feed rule, or the without-RIB rule (every target's
    /// view reads the same sources, so the first one's says it for all).
    public var votingRule: String {
        state.withLock { s in
            let m = s.set.monitors[0]
            return m.view.sawRIB
                ? "full-feed peers from a RIB snapshot (> \(m.detector.thresholds.fullFeedIPv4) IPv4 routes)"
                : "peers that carried a route to the target (no RIB: a filtered stream cannot tell full feeds)"
        }
    }

    /// Tells what happened since the last call, on the caller's thread, before the store is tried: a
    /// failing store (or one that makes a commit wait for a lock) never delays an event's report.
    private func tell() {
        let outputs = state.withLock { s in
            defer { s.outputs.removeAll() }
            return s.outputs
        }
        if let output { for o in outputs { output(o) } }
    }

    /// Tells what happened, and has the state's changes committed on the store thread when due (an event
    /// changed, many routes wait, or a tick).
    private func commitIfDue(urgent: Bool) {
        // One look at the state per step: what to tell, and whether a commit is due.
        let (outputs, due) = state.withLock { s in
            defer { s.outputs.removeAll() }
            return (s.outputs, urgent || s.pendingEvents > 0 || s.pendingRoutes > 500)
        }
        if let output { for o in outputs { output(o) } }
        guard due else { return }
        guard store != nil else {
            // Nowhere to write (benchmarks): the changes are dropped.
            _ = state.withLock { $0.takeBatches() }
            return
        }
        guard !queued.exchange(true, ordering: .acquiringAndReleasing) else { return }
        writer.queue.async {
            self.queued.store(false, ordering: .releasing)
            self.commitNow(force: false)
        }
    }

    /// Commits what the state holds; runs on `writer`. A failed commit keeps its batch, merged with what
    /// comes after, and is tried again with back-off (`force`: now).
    private func commitNow(force: Bool) {
        guard let store else { return }
        var said: [LiveOutput] = []
        committing.withLock { c in
            let now = clock()
            let due = c.waiting == nil || force || now >= c.retryAt
            // While the store fails and no retry is due, the changes stay in the state's own batches,
            // unless they hold too many route rows: then they are coalesced into the waiting batch.
            let taken: [StoreBatch]? = state.withLock { s in
                due || s.pendingRoutes > Self.holdLimit ? s.takeBatches() : nil
            }
            guard var batch = taken else { return }
            if let waiting = c.waiting { batch = StoreBatch.merged(waiting, then: batch) }
            guard !batch.isEmpty else { return }
            let wasFailing = c.health.isFailing
            defer {
                published.withLock { $0 = c }
                if wasFailing || c.health.isFailing, let file = healthFile.withLock({ $0 }) {
                    _ = file.write(c.health, storePath: store.path, at: now)
                }
            }
            if !due {
                c.waiting = batch
                c.health.waiting = StoreBatch.summary(of: batch)
                return
            }
            do {
                try store.commit(batch)
                state.withLock { $0.counters.commits += 1 }
                if let since = c.health.failingSince {
                    said.append(.storeRecovered(since: since, written: StoreBatch.summary(of: batch)))
                }
                c = CommitState()
            } catch {
                let first = !c.health.isFailing
                c.waiting = batch
                c.health.failingSince = c.health.failingSince ?? now
                c.health.error = "\(error)"
                c.health.failures += 1
                c.health.waiting = StoreBatch.summary(of: batch)
                let delay = min(Self.maxRetryDelay, Self.firstRetryDelay * Double(1 << min(c.health.failures - 1, 16)))
                c.retryAt = now + delay
                if first {
                    var h = c.health
                    h.retryIn = delay
                    said.append(.storeFailing(h))
                }
            }
        }
        if let output { for o in said { output(o) } }
    }
}
