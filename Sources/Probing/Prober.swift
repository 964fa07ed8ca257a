import AsyncHTTPClient
import Dispatch
import Foundation

/// Limits and timing of probing.
public struct ProbeOptions: Sendable {
    /// Per probe (per hop for traceroute, capped at 1 s), seconds.
    public var timeout: Double = 3
    /// Extra tries after a failure (DNS over UDP before TCP; ICMP and TCP once more).
    public var retries = 1
    /// Probes running at once.
    public var concurrency = 32
    /// At most one probe per destination in this many seconds (probe gently: a host that is probed
    /// hard may ban the prober, which would look like an outage).
    public var perDestinationInterval: Double = 1
    /// Never more than this many probes per second in all: a misconfiguration cannot flood anyone.
    public var maxRate: Double = 100
    /// Traceroute's last TTL.
    public var maxHops = 30

    /// The defaults.
    public init() {}
}

/// Runs probes within the limits of `ProbeOptions`, every request getting one result, in order: a
/// request that fails (a name that does not resolve, a socket the system refuses) gets a result that
/// says why, and the others go on.
public struct Prober: Sendable {
    /// The limits.
    public let options: ProbeOptions
    /// The table that names the AS of traceroute hops, when given.
    public let prefixToAS: PrefixToAS?
    private let gate: RateGate

    /// A prober.
    public init(options: ProbeOptions = ProbeOptions(), prefixToAS: PrefixToAS? = nil) {
        self.options = options
        self.prefixToAS = prefixToAS
        self.gate = RateGate(perDestination: options.perDestinationInterval, maxRate: options.maxRate)
    }

    /// Probes all `requests`; results in the same order.
    public func run(_ requests: [ProbeRequest]) async -> [ProbeResult] {
        await HTTPClient.withHTTPClientIfNeeded(requests.contains { $0.kind == .http }, timeout: options.timeout) {
            client in
            await withTaskGroup(of: (Int, ProbeResult).self) { group in
                var results = [ProbeResult?](repeating: nil, count: requests.count)
                var next = 0
                func start() {
                    let i = next
                    next += 1
                    group.addTask { (i, await self.probe(requests[i], client: client)) }
                }
                while next < min(options.concurrency, requests.count) { start() }
                for await (i, r) in group {
                    results[i] = r
                    if next < requests.count { start() }
                }
                return results.compactMap { $0 }
            }
        }
    }

    /// Probes one request.
    public func probe(_ request: ProbeRequest) async -> ProbeResult {
        await HTTPClient.withHTTPClientIfNeeded(request.kind == .http, timeout: options.timeout) {
            await probe(request, client: $0)
        }
    }

    func probe(_ request: ProbeRequest, client: HTTPClient?) async -> ProbeResult {
        // The name is resolved before the turn is taken, so that the turn's time is the packet's.
        let resolved: Result<ResolvedAddress, ProbeError> = await Self.offload {
            do throws(ProbeError) {
                return .success(try Resolver.resolve(request.host, port: request.port ?? 0))
            } catch {
                return .failure(error)
            }
        }
        let address: ResolvedAddress
        switch resolved {
        case .success(let a): address = a
        case .failure(let error):
            var result = ProbeResult(
                request: request, address: nil, reachable: false, rttMs: nil, error: "\(error)",
                time: Date().timeIntervalSince1970)
            result.attempts = 0
            return result
        }
        var outcome = ProbeOutcome(reachable: false, rtt: nil, error: nil)
        let timeout = options.timeout
        var attempts = 0
        var time = 0.0
        for _ in 0...max(0, request.kind == .dns || request.kind == .trace ? 0 : options.retries) {
            guard await gate.admit(request.host) else {
                if attempts == 0 { return Self.cancelled(request) }
                break
            }
            attempts += 1
            let sent = Sockets.now()
            if attempts == 1 { time = Date().timeIntervalSince1970 }
            switch request.kind {
            case .tcp:
                outcome = await Self.offload {
                    let at = Sockets.now()
                    let r = TCPProbe.run(address, timeout: timeout)
                    return ProbeOutcome(reachable: r.reachable, rtt: r.rtt, error: r.error, sentAt: at)
                }
            case .icmp:
                let sequence = UInt16.random(in: 0...UInt16.max)
                outcome = await Self.offload {
                    let at = Sockets.now()
                    do {
                        let r = try ICMPProbe.run(address, timeout: timeout, sequence: sequence)
                        return ProbeOutcome(reachable: r.reachable, rtt: r.rtt, error: r.error, sentAt: at)
                    } catch {
                        return ProbeOutcome(reachable: false, rtt: nil, error: "\(error)")
                    }
                }
            case .dns:
                let zone = request.zone ?? "."
                let retries = options.retries
                outcome = await Self.offload { DNSProbe.run(address, zone: zone, timeout: timeout, retries: retries) }
            case .http:
                guard let client else { break }
                outcome = await HTTPProbe.run(request.url, timeout: timeout, client: client)
            case .trace:
                let table = prefixToAS
                let hops = options.maxHops
                outcome = await Self.offload {
                    TraceProbe.run(address, timeout: timeout, maxHops: hops) { table?.asn(of: $0) }
                }
            }
            // A try that left later than its turn (a busy thread pool) moves the destination's next turn.
            await gate.sent(request.host, at: max(sent, outcome.sentAt ?? sent))
            if outcome.reachable { break }
        }
        var result = ProbeResult(
            request: request, address: address.text, reachable: outcome.reachable,
            rttMs: outcome.reachable ? outcome.rtt : nil, error: outcome.error, time: time)
        result.httpStatus = outcome.status
        result.dnsRcode = outcome.rcode
        result.dnsOverTCP = outcome.rcode == nil ? nil : outcome.tcp
        result.hops = outcome.hops
        result.attempts = attempts
        return result
    }

    /// The result of a probe cancelled before anything was sent.
    static func cancelled(_ request: ProbeRequest) -> ProbeResult {
        var r = ProbeResult(
            request: request, address: nil, reachable: false, rttMs: nil, error: "cancelled before sending",
            time: Date().timeIntervalSince1970)
        r.attempts = 0
        return r
    }

    /// Runs blocking socket work on a dispatch thread, not on one of Swift's few cooperative threads.
    /// The queue is Vigil's own: Linux's global queues run about one item per core at a time, so probes
    /// waiting out their timeouts there would hold every other probe (and anything else in the process)
    /// back; a queue of one's own gets a thread per blocked item, bounded by the prober's concurrency.
    static func offload<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in queue.async { c.resume(returning: body()) } }
    }

    static let queue = DispatchQueue(label: "vigil.probes", attributes: .concurrent)
}

/// Spaces probes: per destination, and in all. Each try books the earliest time that is at least the
/// per-destination interval after its destination's previous try (so a destination's tries go first
/// come, first served, retries included) and at least the global gap away from every other booking.
/// Only that one slot is held: a booking far ahead for a busy destination does not hold the others
/// behind it, as a single "next free time" for everyone would.
actor RateGate {
    let perDestination: Double
    let minimumGap: Double
    private var nextFor: [String: Double] = [:]
    /// Booked global slots, in order (those older than one gap are dropped).
    private var booked: [Double] = []

    init(perDestination: Double, maxRate: Double) {
        self.perDestination = max(0, perDestination)
        self.minimumGap = maxRate > 0 ? 1 / maxRate : 0
    }

    /// When the last try to each destination, and to any, was let go (or, later, left).
    private var lastFor: [String: Double] = [:]
    private var lastAny = -Double.infinity

    /// Waits for `host`'s turn; false when cancelled while waiting (then nothing may be sent). The
    /// booked time orders the turns; on waking, the limits are checked against the tries really let go,
    /// since a sleep may end late and bunch turns together.
    func admit(_ host: String) async -> Bool {
        let start = Sockets.now()
        var wait = book(host, now: start) - start
        while true {
            if wait > 0 {
                do {
                    try await Task.sleep(for: .seconds(wait))
                } catch {
                    return false
                }
            }
            let now = Sockets.now()
            // Below a millisecond apart, spacing is the timers' resolution: the global gap is not re-checked.
            let global = minimumGap >= 0.001 ? lastAny + minimumGap - now : 0
            wait = max((lastFor[host] ?? -Double.infinity) + perDestination - now, global)
            if wait <= 0 {
                lastFor[host] = now  // the check above puts any earlier try at least an interval back
                lastAny = now
                return !Task.isCancelled
            }
        }
    }

    /// Notes that a try to `host` left at `time` (monotonic seconds): its next turn is a full interval
    /// after that, however late the try left.
    func sent(_ host: String, at time: Double) {
        nextFor[host] = max(nextFor[host] ?? 0, time + perDestination)
        lastFor[host] = max(lastFor[host] ?? time, time)
    }

    /// Books `host`'s next slot at or after `now`.
    func book(_ host: String, now: Double) -> Double {
        var at = max(now, nextFor[host] ?? 0)
        if minimumGap > 0 {
            let old = booked.prefix { $0 <= now - minimumGap }.count
            if old > 0 { booked.removeFirst(old) }
            var index = booked.count
            for (i, b) in booked.enumerated() {
                if b <= at - minimumGap { continue }
                if b >= at + minimumGap {
                    index = i
                    break
                }
                at = b + minimumGap
            }
            booked.insert(at, at: index)
        }
        // Dictionaries of every destination ever probed would grow without end in a long run.
        if nextFor.count > 100_000 {
            nextFor = nextFor.filter { $0.value > now }
            lastFor = lastFor.filter { $0.value > now - perDestination }
        }
        nextFor[host] = at + perDestination
        return at
    }
}

extension HTTPClient {
    /// Runs `body` with a client when `needed` (shut down after), else with nil. Connecting gives up
    /// after `timeout` too: AsyncHTTPClient's own connect timeout (10 s) would hold the shutdown, and with
    /// it the probe, long after the request's deadline.
    static func withHTTPClientIfNeeded<T: Sendable>(
        _ needed: Bool, timeout: Double, _ body: (HTTPClient?) async -> T
    ) async -> T {
        guard needed else { return await body(nil) }
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .milliseconds(Int64(timeout * 1000))
        configuration.timeout.read = .milliseconds(Int64(timeout * 1000))
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result = await body(client)
        try? await client.shutdown()
        return result
    }
}
