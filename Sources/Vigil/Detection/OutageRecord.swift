import BGP

/// An outage of the target while it is being observed: which prefixes went down and came back when, and
/// what happened meanwhile to the paths through each upstream and to the upstreams' own prefixes.
struct OutageRecord: Sendable {
    var id: Int
    var start: Double
    var end: Double?
    /// Prefixes in the order they first went down.
    var prefixes: [IPPrefix] = []
    /// Losses per prefix (more than one means it flapped).
    var downs: [IPPrefix: Int] = [:]
    var currentlyDown: Set<IPPrefix> = []
    /// (time, prefix, went down?) for the evidence.
    var timeline: [(time: Double, prefix: IPPrefix, down: Bool)] = []
    /// Per upstream, the share of paths before the event, and when it fell below half of it.
    let baselineShare: [UInt32: Double]
    var lostAt: [UInt32: Double] = [:]
    /// Per expected upstream, its own routes per peer before the event, and the lowest value since.
    let baselineOwn: [UInt32: Double]
    var lowestOwn: [UInt32: Double] = [:]
    /// Lost fraction × seconds, integrated as the event goes.
    var lostSeconds: Double = 0
    var lastTime: Double
    var trackedCount = 1
    /// The event as a previous run left it, when this one resumed it after a restart.
    var resumed: DetectedEvent?

    init(id: Int, start: Double, baselineShare: [UInt32: Double], baselineOwn: [UInt32: Double]) {
        self.id = id
        self.start = start
        self.baselineShare = baselineShare
        self.baselineOwn = baselineOwn
        lastTime = start
    }

    mutating func advance(to time: Double) {
        lostSeconds += Double(currentlyDown.count) / Double(max(trackedCount, 1)) * max(0, time - lastTime)
        lastTime = time
    }

    mutating func down(_ prefix: IPPrefix, at time: Double) {
        advance(to: time)
        if downs[prefix] == nil { prefixes.append(prefix) }
        downs[prefix, default: 0] += 1
        currentlyDown.insert(prefix)
        timeline.append((time, prefix, true))
        end = nil
    }

    mutating func up(_ prefix: IPPrefix, at time: Double) {
        advance(to: time)
        guard currentlyDown.remove(prefix) != nil else { return }
        timeline.append((time, prefix, false))
        if currentlyDown.isEmpty { end = time }
    }

    mutating func track(_ s: TargetSignals, thresholds: Thresholds) {
        trackedCount = s.trackedCount
        advance(to: s.time)
        for (asn, base) in baselineShare where base > 0 && lostAt[asn] == nil {
            if (s.upstreamShare[asn] ?? 0) < 0.5 * base { lostAt[asn] = s.time }
        }
        for (asn, own) in s.upstreamOwn { lowestOwn[asn] = min(lowestOwn[asn] ?? own, own) }
    }

    func event(target: Target, thresholds: Thresholds) -> DetectedEvent {
        var verdict = Diagnosis.diagnose(self, target: target, thresholds: thresholds)
        if let before = resumed, verdict.cause == .unknown, before.cause != .unknown {
            verdict = Diagnosis.Verdict(
                cause: before.cause, confidence: before.confidence, upstreams: before.upstreams,
                evidence: before.evidence + [
                    "Vigil restarted during the event; the diagnosis above is from before the restart"
                ])
        }
        return DetectedEvent(
            id: id, target: target.name, cause: verdict.cause, confidence: verdict.confidence, start: start, end: end,
            prefixes: prefixes.sorted(), upstreams: verdict.upstreams, severity: lostSeconds / 60,
            evidence: verdict.evidence)
    }
}
