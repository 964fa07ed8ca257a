import Foundation
import Probing
import Vigil
import VigilClock

/// Probes a target's hosts on its schedule while watching, and hands every result to the engine, which
/// bins it and weighs it against the routes. Each host has its own loop: the first probes are spread over
/// the first interval, then each host is probed every `interval` seconds, shifted by up to `jitter`.
/// The prober's gate still applies on top: one probe per destination per second and a global cap, so a
/// schedule written wrong cannot flood anyone.
///
/// Traceroutes place a failure: one to each host while it answers (its baseline, renewed every six
/// hours), and one when it stops answering (once per run of failures).
public struct ProbeScheduler: Sendable {
    /// The engine that receives the results.
    public let engine: LiveEngine
    /// What to probe.
    public let requests: [ProbeRequest]
    /// How often and how patiently.
    public let schedule: ProbeSchedule
    /// Whether to run traceroutes.
    public let traces: Bool
    /// The prober (its gate is shared by every loop).
    public let prober: Prober
    /// The clock the schedule waits by (the probes' own times are the prober's).
    public var clock: any EpochClock = SystemClock()

    /// Seconds between two baseline traceroutes of a host.
    static let baselineAge: Double = 6 * 3600

    /// A scheduler. `maxRate` caps probes per second over all hosts; `prefixToAS` names the AS of
    /// traceroute hops.
    public init(
        engine: LiveEngine, requests: [ProbeRequest], schedule: ProbeSchedule, maxRate: Double = 10,
        traces: Bool = true, prefixToAS: PrefixToAS? = nil
    ) {
        self.engine = engine
        self.requests = requests
        self.schedule = schedule
        self.traces = traces
        var options = ProbeOptions()
        options.timeout = schedule.timeout
        options.retries = schedule.retries
        options.maxRate = maxRate
        prober = Prober(options: options, prefixToAS: prefixToAS)
    }

    /// Probes until cancelled.
    public func run() async {
        // One traceroute per host name, however many URLs probe it.
        var traced: Set<String> = []
        let plan = requests.map { r in
            let trace = traces && r.kind != .trace && traced.insert(r.host).inserted
            return (r, trace)
        }
        await withTaskGroup(of: Void.self) { group in
            for (i, (request, trace)) in plan.enumerated() {
                let phase = schedule.interval * Double(i) / Double(max(1, plan.count))
                group.addTask { await loop(request, trace: trace, phase: phase) }
            }
        }
    }

    /// One host's loop.
    func loop(_ request: ProbeRequest, trace: Bool, phase: Double) async {
        guard await sleep(phase) else { return }
        var baselineAt = -Double.infinity
        var tracedThisRun = false
        while !Task.isCancelled {
            let started = clock.seconds
            let r = await prober.probe(request)
            // Cancelled before sending: nothing happened, nothing to record.
            if Task.isCancelled && r.attempts == 0 { return }
            // An answer counts from when it came (a probe begun before a repair may be answered after it,
            // by a retry or DNS over TCP); a failure from when the probe began.
            let time = r.reachable ? clock.seconds : r.time
            engine.record(
                probe: ProbeSample(host: request.url, time: time, reachable: r.reachable, rttMs: r.rttMs),
                attempts: r.attempts, error: r.error)
            if trace {
                if r.reachable {
                    tracedThisRun = false
                    if started - baselineAt > Self.baselineAge, await self.trace(request.host) == true {
                        baselineAt = started
                    }
                } else if !tracedThisRun {
                    tracedThisRun = true
                    _ = await self.trace(request.host)
                }
            }
            let wait = schedule.delay(draw: Double.random(in: 0...1)) - (clock.seconds - started)
            guard await sleep(max(0, wait)) else { return }
        }
    }

    /// Traces `host` and records it; returns whether it reached the host (nil when it could not run).
    func trace(_ host: String) async -> Bool? {
        guard let request = try? ProbeRequest("trace://\(host)") else { return nil }
        let r = await prober.probe(request)
        guard r.attempts > 0 else { return nil }
        let hops = (r.hops ?? []).compactMap { h in h.address.map { (address: $0, asn: h.asn) } }
        engine.record(trace: TraceSample(host: host, time: r.time, reached: r.reachable, hops: hops))
        return r.reachable
    }

    /// Sleeps on the schedule's clock; false when cancelled.
    func sleep(_ seconds: Double) async -> Bool {
        do {
            try await clock.sleep(seconds: seconds)
            return true
        } catch {
            return false
        }
    }
}
