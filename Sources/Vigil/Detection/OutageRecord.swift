import BGP

/// An outage of the target while it is being observed: which prefixes went down and came back when, how
/// much of the target's space was dark, and what happened meanwhile to the paths through each upstream and
/// to the upstreams' own prefixes.
struct OutageRecord: Sendable {
    var id: Int
    /// When the target's scale was crossed (the time of the message that crossed it).
    var start: Double
    var end: Double?
    /// When the first of its prefixes went dark (at or before `start`).
    var firstDown: Double
    /// The dark share that opened it (it ends under half of this).
    var openingShare: Double = 0
    /// Prefixes in the order they first went down.
    var prefixes: [IPPrefix] = []
    /// Losses per prefix (more than one means it flapped).
    var downs: [IPPrefix: Int] = [:]
    var currentlyDown: Set<IPPrefix> = []
    /// Prefixes still dark when the event ended: they left the baseline.
    var notBack: [IPPrefix] = []
    /// Per dark prefix, the upstreams its routes went through when it was last up.
    var upstreamsBefore: [IPPrefix: [UInt32: Int]] = [:]
    /// (time, prefix, went down?) for the evidence.
    var timeline: [(time: Double, prefix: IPPrefix, down: Bool)] = []
    /// Per upstream, the share of paths before the event, and when it fell below half of it.
    let baselineShare: [UInt32: Double]
    var lostAt: [UInt32: Double] = [:]
    /// Per upstream, the lowest share of paths since the event began.
    var lowestShare: [UInt32: Double] = [:]
    /// Per expected upstream, its own routes per peer before the event, and the lowest value since.
    let baselineOwn: [UInt32: Double]
    var lowestOwn: [UInt32: Double] = [:]
    /// The largest dark share of the target's space, and its /24 equivalents then and in the baseline.
    var peakShare = 0.0
    var peakWeight = 0.0
    var baseWeight = 0.0
    /// Dark share × seconds, integrated as the event goes.
    var lostSeconds: Double = 0
    var lastShare = 0.0
    var lastTime: Double
    var trackedCount = 1
    /// The event as a previous run left it, when this one resumed it after a restart.
    var resumed: DetectedEvent?

    init(id: Int, start: Double, baselineShare: [UInt32: Double], baselineOwn: [UInt32: Double]) {
        self.id = id
        self.start = start
        self.firstDown = start
        self.baselineShare = baselineShare
        self.baselineOwn = baselineOwn
        lastTime = start
    }

    mutating func down(_ prefix: IPPrefix, at time: Double, upstreams: [UInt32: Int] = [:]) {
        if downs[prefix] == nil { prefixes.append(prefix) }
        downs[prefix, default: 0] += 1
        currentlyDown.insert(prefix)
        timeline.append((time, prefix, true))
        if !upstreams.isEmpty { upstreamsBefore[prefix] = upstreams }
    }

    mutating func up(_ prefix: IPPrefix, at time: Double) {
        guard currentlyDown.remove(prefix) != nil else { return }
        timeline.append((time, prefix, false))
    }

    mutating func track(_ s: TargetSignals, thresholds: Thresholds, share: Double, weight: Double, baseWeight: Double) {
        trackedCount = s.trackedCount
        lostSeconds += lastShare * max(0, s.time - lastTime)
        lastTime = s.time
        lastShare = share
        if share > peakShare {
            peakShare = share
            peakWeight = weight
            self.baseWeight = baseWeight
        }
        for (asn, base) in baselineShare where base > 0 {
            let now = s.upstreamShare[asn] ?? 0
            lowestShare[asn] = min(lowestShare[asn] ?? now, now)
            if lostAt[asn] == nil, now < 0.5 * base { lostAt[asn] = s.time }
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
