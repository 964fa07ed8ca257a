/// One probe's outcome as the data-plane diagnosis weighs it.
public struct ProbeSample: Sendable, Equatable {
    /// The host probed (the same name for every sample of it).
    public var host: String
    /// When, seconds since the epoch.
    public var time: Double
    /// Whether it answered, and how fast.
    public var reachable: Bool
    public var rttMs: Double?

    /// A sample.
    public init(host: String, time: Double, reachable: Bool, rttMs: Double?) {
        self.host = host
        self.time = time
        self.reachable = reachable
        self.rttMs = rttMs
    }
}

/// Where a traceroute stopped: the last router that answered and its AS (from a prefix-to-AS table).
public struct TraceSample: Sendable, Equatable {
    /// The host traced, when, and whether the trace reached it.
    public var host: String
    public var time: Double
    public var reached: Bool
    /// The answering hops in order: (address, AS when known).
    public var hops: [(address: String, asn: UInt32?)]

    /// A trace.
    public init(host: String, time: Double, reached: Bool, hops: [(address: String, asn: UInt32?)]) {
        self.host = host
        self.time = time
        self.reached = reached
        self.hops = hops
    }

    public static func == (a: TraceSample, b: TraceSample) -> Bool {
        a.host == b.host && a.time == b.time && a.reached == b.reached
            && a.hops.map(\.address) == b.hops.map(\.address) && a.hops.map(\.asn) == b.hops.map(\.asn)
    }
}

/// What the probes say, next to what the routes say.
public enum DataPlaneVerdict: Sendable, Equatable {
    /// Every host answers (or there is too little to say otherwise).
    case healthy
    /// Only these hosts fail while others answer: a host problem, not an outage.
    case hostProblem([String])
    /// Every host fails while the routes stay up: filtering, an attack, or a failure behind the border.
    /// `congestion` when loss or round trips rose before the failure (a flood's signature).
    case dataPlaneOutage(congestion: Bool)
    /// Every host fails and the routes are down too: the probes corroborate the routing diagnosis.
    case corroboratesRouting
    /// No probe results in the window.
    case noProbes
}

/// Where the packets stopped.
public enum Breakpoint: Sendable, Equatable {
    /// Inside an upstream, before its border router.
    case insideUpstream(UInt32)
    /// At the border: the upstream's last router answered, the target's first did not.
    case atBorder(UInt32)
    /// Inside the target: its own routers answered, the host did not.
    case insideTarget
    /// Before any upstream: in transit (AS when known).
    case beforeUpstreams(UInt32?)
    /// No trace, or the trace reached the host.
    case unknown
}

/// The data-plane half of the diagnosis: probes and traceroutes weighed against the routes.
public enum DataPlaneDiagnosis {
    /// The thresholds.
    public struct Rules: Sendable {
        /// A host fails when its last `failures` probes all failed.
        public var failures = 2
        /// The routes count as up when at least this share of the target's prefixes is up.
        public var routesUpShare = 0.5
        /// Before the failure, a loss rate at least this high, or a median RTT at least `rttRise` times
        /// the earliest one, is the congestion signature.
        public var lossBefore = 0.2
        public var rttRise = 2.0

        /// The defaults.
        public init() {}
    }

    /// The verdict from the samples of `window` seconds up to `now` (older samples serve as baseline).
    public static func verdict(
        samples: [ProbeSample], now: Double, window: Double, routesUp: Double, rules: Rules = Rules()
    ) -> DataPlaneVerdict {
        let byHost = Dictionary(grouping: samples.filter { $0.time <= now }, by: \.host)
            .mapValues { $0.sorted { $0.time < $1.time } }
        let recent = byHost.mapValues { $0.filter { $0.time > now - window } }.filter { !$0.value.isEmpty }
        guard !recent.isEmpty else { return .noProbes }
        let failing = recent.filter { _, s in
            s.count >= rules.failures && s.suffix(rules.failures).allSatisfy { !$0.reachable }
        }.keys.sorted()
        if failing.isEmpty { return .healthy }
        let answering = recent.filter { _, s in s.last?.reachable == true }
        if !answering.isEmpty { return .hostProblem(failing) }
        guard failing.count == recent.count else { return .healthy }
        if routesUp < rules.routesUpShare { return .corroboratesRouting }
        return .dataPlaneOutage(congestion: congestion(byHost, rules: rules))
    }

    /// True when, before each host's final run of failures, its loss or its round trips rose.
    static func congestion(_ byHost: [String: [ProbeSample]], rules: Rules) -> Bool {
        var rising = 0
        for (_, s) in byHost {
            guard let b = beforeFailure(s) else { continue }
            let rttUp = b.earlyRTT.flatMap { e in b.lateRTT.map { $0 >= e * rules.rttRise && e > 0 } } ?? false
            if b.loss >= rules.lossBefore || rttUp { rising += 1 }
        }
        return rising * 2 > byHost.count
    }

    /// What a host's probes did up to its last answer (`s` in time order), its later half against its
    /// earlier half: the loss in the later half and the median round trips of both. Nil with fewer than
    /// four probes up to that answer.
    static func beforeFailure(_ s: [ProbeSample]) -> (loss: Double, earlyRTT: Double?, lateRTT: Double?)? {
        guard let lastGood = s.lastIndex(where: \.reachable), lastGood >= 3 else { return nil }
        let before = s[...lastGood]
        let half = before.startIndex + before.count / 2
        let late = before[half...]
        let loss = Double(late.filter { !$0.reachable }.count) / Double(late.count)
        return (loss, median(before[..<half].compactMap(\.rttMs)), median(late.compactMap(\.rttMs)))
    }

    static func median(_ v: [Double]) -> Double? {
        guard !v.isEmpty else { return nil }
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Where a failing trace stopped, against a trace of the same host that reached it before: the
    /// baseline's last upstream hop before the target's own AS is the border.
    public static func breakpoint(failing: TraceSample, baseline: TraceSample?, target: Target) -> Breakpoint {
        guard !failing.reached, let last = failing.hops.last else { return .unknown }
        if let asn = last.asn, target.originASNs.contains(asn) { return .insideTarget }
        guard let asn = last.asn,
            target.upstreams[asn] != nil || (baseline.map { Self.upstreamASNs($0, target).contains(asn) } ?? false)
        else {
            return .beforeUpstreams(last.asn)
        }
        if let baseline, let border = Self.border(baseline, target) {
            return last.address == border ? .atBorder(asn) : .insideUpstream(asn)
        }
        return .atBorder(asn)
    }

    /// The last hop before the target's own AS in a trace that reached the host.
    static func border(_ trace: TraceSample, _ target: Target) -> String? {
        guard let first = trace.hops.firstIndex(where: { $0.asn.map(target.originASNs.contains) ?? false }),
            first > 0
        else {
            return trace.hops.count >= 2 ? trace.hops[trace.hops.count - 2].address : nil
        }
        return trace.hops[first - 1].address
    }

    /// The ASes right before the target's own in a trace: its upstreams as the data plane shows them.
    static func upstreamASNs(_ trace: TraceSample, _ target: Target) -> Set<UInt32> {
        var out: Set<UInt32> = []
        for (i, h) in trace.hops.enumerated() where i + 1 < trace.hops.count {
            if let next = trace.hops[i + 1].asn, target.originASNs.contains(next), let a = h.asn,
                !target.originASNs.contains(a)
            {
                out.insert(a)
            }
        }
        return out
    }
}
