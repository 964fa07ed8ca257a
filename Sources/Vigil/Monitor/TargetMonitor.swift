import BGP

/// What a target's monitor says as it goes.
public enum MonitorOutput: Sendable, Equatable {
    /// A change worth a timeline line.
    case notice(TimelineNotice)
    /// An event opened (only when the monitor reports open events).
    case opened(DetectedEvent)
    /// An open event changed: its scope, cause, evidence or end (only when the monitor reports open events).
    case updated(DetectedEvent)
    /// An event is final.
    case closed(DetectedEvent)
    /// A time bin of the target's signals closed.
    case bin(SignalBin)
}

/// The one pipeline from route changes (and probe results) to what a target's watcher reports: the
/// routing view, the detector, the probes' monitor and the bin clock, with no I/O and no clock of its own
/// (times come with the changes and the ticks).
///
/// Replay, live monitoring and the tests drive it the same way: apply route changes to `view`, call
/// `observe(time:)` after a change, `closeBins(before:)` before a change of a later time, `tick(now:)`
/// as time passes, and take what it says with `drain()`. Events are compared as values: an open event
/// is reported again only when it changed.
public struct TargetMonitor {
    /// Who announces what, per peer.
    public var view: RoutingView
    /// The rules turning the view into events.
    public var detector: Detector
    /// The probes' side of the diagnosis.
    public var dataPlane: DataPlaneMonitor
    /// Seconds per signal bin (0: no bins).
    public let binSeconds: Double
    /// Report open events as they open and change (live), or only final ones (replay prints an event once
    /// it is over: looking at every open event after every change would cost replay its speed).
    public let reportsOpenEvents: Bool
    /// Tick the detector at each bin's end (replay, whose clock is the records' time).
    public let ticksAtBinEnds: Bool
    /// The start of the bin under way, and the route updates heard in it.
    public private(set) var binStart: Double?
    public var binUpdates = 0
    /// Each open event as last reported.
    public var reported: [Int: DetectedEvent] = [:]
    /// Events opened and closed so far (an event reported only once over counts as both).
    public private(set) var eventsOpened = 0
    public private(set) var eventsClosed = 0
    private var outputs: [MonitorOutput] = []

    /// A monitor for `target`. `learnsOrigins` and `relationships` go to the view (country targets, route
    /// leaks); `thresholds` to the view and the detector.
    public init(
        target: Target, binSeconds: Double, thresholds: Thresholds? = nil, learnsOrigins: Bool = false,
        relationships: ASRelationships? = nil, reportsOpenEvents: Bool, ticksAtBinEnds: Bool
    ) {
        view = RoutingView(
            target: target, learnsOrigins: learnsOrigins, thresholds: thresholds,
            leakJudge: LeakJudge(given: relationships))
        detector = Detector(target: target, thresholds: thresholds)
        dataPlane = DataPlaneMonitor(target: target, schedule: target.probeSchedule)
        self.binSeconds = binSeconds
        self.reportsOpenEvents = reportsOpenEvents
        self.ticksAtBinEnds = ticksAtBinEnds
    }

    /// The target watched.
    public var target: Target { view.target }

    /// What the monitor said since the last call.
    public mutating func drain() -> [MonitorOutput] {
        defer { outputs.removeAll(keepingCapacity: true) }
        return outputs
    }

    /// Looks at the target after route changes at `time`; returns true when an event opened, changed or
    /// closed.
    @discardableResult
    public mutating func observe(time: Double) -> Bool {
        for n in detector.observe(TargetSignals(changesOf: &view, time: time)) { outputs.append(.notice(n)) }
        return syncEvents()
    }

    /// Time passes without a change: closes the bins before `now`, finalizes what the detector may, and
    /// weighs the probes.
    @discardableResult
    public mutating func tick(now: Double) -> Bool {
        closeBins(before: now)
        detector.tick(now: now)
        evaluateDataPlane(now: now)
        return syncEvents()
    }

    /// Ends a replay: every event still going is reported final, with `end` nil.
    public mutating func finish() {
        for e in detector.finish() { close(e) }
    }

    /// Closes the bins that end at or before `time`, each with the signals at its end.
    public mutating func closeBins(before time: Double) {
        // Sources check their times (UTCTime.checked); this guard keeps a time that slipped through from
        // looping over an absurd gap (start + binSeconds == start past 2^53 s).
        guard binSeconds > 0, time.isFinite, time >= UTCTime.earliest, time < UTCTime.end else { return }
        if binStart == nil { binStart = (time / binSeconds).rounded(.down) * binSeconds }
        while let start = binStart, time >= start + binSeconds {
            let end = start + binSeconds
            let s = TargetSignals(snapshotOf: view, time: end)
            outputs.append(
                .bin(
                    SignalBin(
                        target: view.target.name, start: start, seconds: binSeconds,
                        prefixesUp: s.prefixesUp(detector.thresholds.visibleFraction), prefixes: s.visibility.count,
                        votingPeers: s.votingPeers, updates: binUpdates, visibility: s.visibility,
                        upstreamShare: s.upstreamShare, darkShare: detector.darkShare, originShare: view.originShares())
                ))
            binUpdates = 0
            binStart = end
            if ticksAtBinEnds {
                detector.tick(now: end)
                _ = syncEvents()
            }
            // Live, a long silence would otherwise write one bin per minute of it: skip to the current bin
            // (replay writes every bin of its records' span).
            if !ticksAtBinEnds && time - end > 100 * binSeconds {
                binStart = (time / binSeconds).rounded(.down) * binSeconds
            }
        }
    }

    /// Re-weighs the probes against the routes, turning what changed into events and notices.
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
                eventsOpened += 1
                outputs.append(.opened(e))
            case .updated(let e):
                outputs.append(.updated(e))
            case .closed(let e):
                eventsClosed += 1
                outputs.append(.closed(e))
            case .notice(let n):
                outputs.append(.notice(n))
            case .routingNotes:
                break  // syncEvents adds the notes to the routing event and reports it again
            }
        }
    }

    /// Reports the detector's open events that changed since last reported, and its finished ones.
    mutating func syncEvents() -> Bool {
        var any = false
        if reportsOpenEvents {
            for var e in detector.openEvents() {
                e.evidence += dataPlane.notes(for: e.id)
                let before = reported[e.id]
                guard before != e else { continue }
                if before == nil { eventsOpened += 1 }
                outputs.append(before == nil ? .opened(e) : .updated(e))
                reported[e.id] = e
                any = true
            }
        }
        for e in detector.drainFinished() {
            close(e)
            any = true
        }
        return any
    }

    private mutating func close(_ event: DetectedEvent) {
        var e = event
        e.evidence += dataPlane.notes(for: e.id)
        if reported.removeValue(forKey: e.id) == nil { eventsOpened += 1 }
        eventsClosed += 1
        outputs.append(.closed(e))
    }
}
