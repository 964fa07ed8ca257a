import BGP

/// Weighs a target's probe results as they arrive while watching, next to what the routes say: opens a
/// data-plane event (`dataPlane`, or `attack` with the congestion signature) when every probed host stops
/// answering while the routes stay up, closes it when a host answers again, adds the probes' word to
/// routing events (corroborating or not), and says when a single host fails (a host problem, no event).
///
/// Like the detector it reads no clock: every time comes from the samples and from `evaluate(now:...)`.
public struct DataPlaneMonitor: Sendable {
    /// The target probed.
    public let target: Target
    /// The verdict's thresholds.
    public var rules: DataPlaneDiagnosis.Rules
    /// Seconds of samples the verdict weighs; older ones serve as the baseline of the congestion signature.
    public var window: Double
    /// Seconds of samples kept.
    public var keep: Double
    var samples: [ProbeSample] = []
    var baselineTraces: [String: TraceSample] = [:]
    var failingTraces: [String: TraceSample] = [:]
    /// The verdict at the last evaluation.
    public private(set) var verdict: DataPlaneVerdict = .noProbes
    /// The data-plane event open now.
    public private(set) var open: DetectedEvent?
    var notes: [Int: [String]] = [:]

    /// What an evaluation changed.
    public enum Change: Sendable {
        /// A data-plane event opened, changed, or ended.
        case opened(DetectedEvent)
        case updated(DetectedEvent)
        case closed(DetectedEvent)
        /// A line for the timeline (a host problem, a host back).
        case notice(TimelineNotice)
        /// The probes' lines for a routing event changed (commit that event again).
        case routingNotes(Int)
    }

    /// A monitor for `target` probed on `schedule`: the verdict weighs the last `rules.failures + 1`
    /// intervals, and an hour (at least 30 intervals) of samples is kept.
    public init(target: Target, schedule: ProbeSchedule, rules: DataPlaneDiagnosis.Rules = .init()) {
        self.target = target
        self.rules = rules
        window = Double(rules.failures + 1) * schedule.interval * (1 + schedule.jitter) + schedule.timeout
        keep = max(3600, 30 * schedule.interval)
    }

    /// Adds a probe's result.
    public mutating func record(_ sample: ProbeSample) {
        samples.append(sample)
        if let first = samples.first, first.time < sample.time - keep {
            samples.removeAll { $0.time < sample.time - keep }
        }
    }

    /// Adds a traceroute: one that reached its host becomes that host's baseline, one that did not
    /// says where packets stop now.
    public mutating func record(trace: TraceSample) {
        if trace.reached {
            baselineTraces[trace.host] = trace
            failingTraces[trace.host] = nil
        } else {
            failingTraces[trace.host] = trace
        }
    }

    /// Whether any probe result was recorded (nothing to weigh otherwise).
    public var hasSamples: Bool { !samples.isEmpty }

    /// The probes' lines for routing event `id`.
    public func notes(for id: Int) -> [String] { notes[id] ?? [] }

    /// Re-weighs at `now`. `routesUp` is the share of tracked prefixes up (nil while no peer votes: the
    /// routes are unknown, and taken as up); `routingEvents` the routing events open now; `nextID`
    /// numbers a new event.
    public mutating func evaluate(
        now: Double, routesUp: Double?, routingEvents: [DetectedEvent], nextID: () -> Int
    ) -> [Change] {
        var changes: [Change] = []
        let before = verdict
        verdict = DataPlaneDiagnosis.verdict(
            samples: samples, now: now, window: window, routesUp: routesUp ?? 1, rules: rules)
        changes += hostNotices(before: before, now: now)
        let feedFailing = routingEvents.contains { $0.cause == .feedProblem }
        if case .dataPlaneOutage(let congestion) = verdict, !feedFailing {
            var event = outageEvent(congestion: congestion, routesUp: routesUp, now: now)
            if let current = open {
                event.id = current.id
                event.start = current.start
                if event.cause != current.cause || event.evidence != current.evidence
                    || event.upstreams != current.upstreams
                {
                    changes.append(.updated(event))
                }
            } else {
                event.id = nextID()
                changes.append(.opened(event))
            }
            event.severity = (now - event.start) / 60
            open = event
        } else if var event = open {
            switch verdict {
            case .corroboratesRouting:
                event.evidence.append(
                    "the routes went down too at about \(UTCTime.iso(now)): the routing diagnosis takes over")
                event.end = now
            case .noProbes:
                event.evidence.append("no probe results since \(UTCTime.iso(now - window)): the probes stopped")
                event.end = now
            default:
                if feedFailing {
                    event.evidence.append(
                        "our own routing feed failed at about \(UTCTime.iso(now)): the probes may be failing on our side"
                    )
                }
                let back = samples.first { $0.time >= event.start && $0.reachable }
                event.end = back?.time ?? now
                if let back { event.evidence.append("\(back.host) answered again at \(UTCTime.iso(back.time))") }
            }
            event.severity = max(0, (event.end ?? now) - event.start) / 60
            changes.append(.closed(event))
            open = nil
        }
        changes += routingNotes(routingEvents, routesUp: routesUp, now: now)
        return changes
    }

    // MARK: Evidence

    /// The event for a total data-plane failure, numbered later.
    func outageEvent(congestion: Bool, routesUp: Double?, now: Double) -> DetectedEvent {
        let hosts = Dictionary(grouping: samples, by: \.host).mapValues { $0.sorted { $0.time < $1.time } }
        let runs = hosts.mapValues { Self.failingRunStart($0) ?? now }
        let start = runs.values.max() ?? now
        let tracked = target.trackedPrefixes
        var evidence: [String] = []
        evidence.append(
            "all \(hosts.count) probed hosts stopped answering by \(UTCTime.iso(start)): "
                + hosts.keys.sorted().map { host in
                    let last = hosts[host]?.last { $0.reachable }
                    return host + (last.map { " (last answer \(UTCTime.iso($0.time)))" } ?? " (never answered)")
                }.joined(separator: ", "))
        evidence.append(
            routesUp.map {
                "the routes stayed up: \(Int(($0 * Double(tracked.count)).rounded())) of \(tracked.count) prefixes visible"
            }
                ?? "the routes are unknown: no routing peer votes yet")
        evidence.append(contentsOf: congestionEvidence(hosts, congestion: congestion))
        let (upstreams, lines) = breakpointEvidence(since: start - window)
        evidence.append(contentsOf: lines)
        return DetectedEvent(
            id: 0, target: target.name, cause: congestion ? .attack : .dataPlane,
            confidence: (congestion ? 0.6 : 0.7) - (hosts.count < 2 ? 0.2 : 0), start: start, end: nil,
            prefixes: tracked, upstreams: upstreams, severity: 0, evidence: evidence)
    }

    /// When a host's final run of failures began.
    static func failingRunStart(_ s: [ProbeSample]) -> Double? {
        guard let last = s.last, !last.reachable else { return nil }
        let lastGood = s.lastIndex(where: \.reachable)
        return s[lastGood.map { $0 + 1 } ?? 0].time
    }

    /// What loss and round trips did before the failure, host by host.
    func congestionEvidence(_ hosts: [String: [ProbeSample]], congestion: Bool) -> [String] {
        var lines: [String] = []
        for (host, s) in hosts.sorted(by: { $0.key < $1.key }) {
            guard let b = DataPlaneDiagnosis.beforeFailure(s) else { continue }
            var line = "\(host) before failing: \(Int((b.loss * 100).rounded()))% loss"
            if let early = b.earlyRTT, let later = b.lateRTT {
                line += ", median round trip \(String(format2: early)) ms then \(String(format2: later)) ms"
            }
            lines.append(line)
        }
        lines.append(
            congestion
                ? "loss or round trips rose before the failure on most hosts: the signature of congestion or a flood"
                : "no rise in loss or round trips before the failure: an abrupt cut (filtering, or a power or network failure behind the border)"
        )
        return lines
    }

    /// Where the traceroutes taken since `since` stopped, and the upstreams that places it in.
    func breakpointEvidence(since: Double) -> (upstreams: [UInt32], lines: [String]) {
        var upstreams: Set<UInt32> = []
        var lines: [String] = []
        for (host, trace) in failingTraces.sorted(by: { $0.key < $1.key }) where trace.time >= since {
            let baseline = baselineTraces[host]
            let point = DataPlaneDiagnosis.breakpoint(failing: trace, baseline: baseline, target: target)
            let last = trace.hops.last
            let at = last.map { "\($0.address) (hop \(trace.hops.count))" } ?? "the first hop"
            switch point {
            case .insideUpstream(let a):
                upstreams.insert(a)
                lines.append(
                    "traceroute to \(host) stops inside \(Diagnosis.name(a, target)) at \(at), before its border router"
                )
            case .atBorder(let a):
                upstreams.insert(a)
                lines.append(
                    "traceroute to \(host) stops at the border: \(Diagnosis.name(a, target))'s last router \(at) answered, the target's first did not"
                )
            case .insideTarget:
                lines.append(
                    "traceroute to \(host) stops inside the target at \(at): its routers answer, the host does not")
            case .beforeUpstreams(let a):
                lines.append(
                    a == nil && last != nil
                        ? "traceroute to \(host) stops at \(at), whose AS is unknown (give a prefix-to-AS table to place it)"
                        : "traceroute to \(host) stops before any upstream, at \(at)\(a.map { " in AS\($0)" } ?? "")")
            case .unknown:
                lines.append("traceroute to \(host): no router answered")
            }
        }
        return (upstreams.sorted(), lines)
    }

    /// Lines for the open routing events: whether the probes agree.
    mutating func routingNotes(_ events: [DetectedEvent], routesUp: Double?, now: Double) -> [Change] {
        var changes: [Change] = []
        let outages = events.filter { $0.cause != .feedProblem && $0.cause != .hijack && $0.end == nil }
        guard !outages.isEmpty else { return [] }
        let latest = Dictionary(grouping: samples, by: \.host).compactMapValues { $0.max { $0.time < $1.time } }
        let count = latest.count
        for e in outages {
            var lines = notes[e.id] ?? []
            // Disagreeing needs every host's latest answer to come after the event began.
            let allAnswerSince = !latest.isEmpty && latest.values.allSatisfy { $0.reachable && $0.time >= e.start }
            switch verdict {
            case .corroboratesRouting where !lines.contains(where: { $0.hasPrefix("probes corroborate") }):
                lines.append(
                    "probes corroborate: none of the \(count) probed hosts answered at \(UTCTime.iso(now))")
                lines += breakpointEvidence(since: now - window).lines
            case .healthy where allAnswerSince && !lines.contains(where: { $0.hasPrefix("probes disagree") }):
                lines.append(
                    "probes disagree: the \(count) probed hosts still answered at \(UTCTime.iso(now)), so some paths still carry packets"
                )
            default: break
            }
            if lines != (notes[e.id] ?? []) {
                notes[e.id] = lines
                changes.append(.routingNotes(e.id))
            }
        }
        if notes.count > 100, let oldest = notes.keys.min() { notes[oldest] = nil }
        return changes
    }

    /// Timeline lines when single hosts start or stop failing.
    func hostNotices(before: DataPlaneVerdict, now: Double) -> [Change] {
        func failing(_ v: DataPlaneVerdict) -> Set<String> {
            if case .hostProblem(let h) = v { return Set(h) }
            return []
        }
        let was = failing(before)
        let isNow = failing(verdict)
        var changes: [Change] = []
        for host in isNow.subtracting(was).sorted() {
            changes.append(
                .notice(
                    TimelineNotice(
                        time: now,
                        text:
                            "probe host \(host) stopped answering while the others answer: a host problem, not an outage"
                    )))
        }
        if case .hostProblem = before, verdict == .healthy {
            for host in was.sorted() {
                changes.append(.notice(TimelineNotice(time: now, text: "probe host \(host) answers again")))
            }
        }
        return changes
    }
}
