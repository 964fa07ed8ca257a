import Foundation
import Testing
import Vigil
import VigilClock
import VigilTesting

@testable import Probing

/// The data-plane lab: namespaces the test builds (the prober, an upstream's two routers in AS4837, the
/// target's hosts in AS131279, all in 198.18.0.0/15), faults staged on them, and the probes' verdict and
/// breakpoint compared with each scenario's ground truth. The routes' state is given (there is no BGP
/// here): the point is what the probes alone add.
@Suite(.enabled(if: NetnsChain.available, "needs root for ip netns"), .serialized)
struct DataPlaneLabTests {
    struct Truth {
        var verdict: DataPlaneVerdict
        var breakpoint: Breakpoint?
    }

    /// One probe round: ICMP to both hosts and TCP to the web server on the first; samples stamped
    /// `round` minutes, as a schedule of one round a minute would stamp them.
    static func round(_ prober: Prober, _ hosts: [String], port: Int, round: Int) async throws -> [ProbeSample] {
        let requests =
            try hosts.map { try ProbeRequest("icmp://\($0)") } + [try ProbeRequest("tcp://\(hosts[0]):\(port)")]
        let results = await prober.run(requests)
        return zip(requests, results).map { req, r in
            ProbeSample(host: req.url, time: Double(round) * 60, reachable: r.reachable, rttMs: r.rttMs)
        }
    }

    static func trace(_ prober: Prober, _ host: String, table: PrefixToAS, time: Double) async throws -> TraceSample {
        let r = await prober.probe(try ProbeRequest("trace://\(host)"))
        let hops = (r.hops ?? []).compactMap { h in h.address.map { (address: $0, asn: table.asn(of: $0)) } }
        return TraceSample(host: host, time: time, reached: r.reachable, hops: hops)
    }

    /// Builds the lab at `base`, runs 3 healthy rounds, stages `fault` (which may stage more between
    /// rounds through `step`), runs `rounds` more, waits `settle` seconds, and returns the verdict and the
    /// breakpoint of a trace taken then.
    static func run(
        base: Int, routesUp: Double, rounds: Int = 3, settle: Double = 1.1, fault: (NetnsChain) throws -> Void,
        step: ((NetnsChain, Int) throws -> Void)? = nil
    ) async throws -> (DataPlaneVerdict, Breakpoint) {
        let chain = try NetnsChain(routers: 2, tag: "dp", base: base)
        defer { chain.remove() }
        let second = "198.18.\(base + 9).1"
        try chain.addTargetHost(second)
        let hosts = [chain.targetAddress, second]
        // A TCP service in the target namespace.
        let port = 8080
        let listener = try chain.listenTCP(in: chain.names[2], address: hosts[0], port: port)
        defer { close(listener) }
        let table = PrefixToAS(text: NetnsChain.prefixToASText(base: base))
        var o = ProbeOptions()
        o.timeout = 0.5
        o.retries = 0
        o.perDestinationInterval = 0
        o.maxHops = 6
        let prober = Prober(options: o, prefixToAS: table)
        var samples: [ProbeSample] = []
        for i in 0..<3 { samples += try await Self.round(prober, hosts, port: port, round: i) }
        let down = samples.filter { !$0.reachable }.map(\.host)
        #expect(down.isEmpty, "the healthy lab: \(down)")
        try await Task.sleep(for: .seconds(1.1))  // routers' ICMP error buckets
        let baseline = try await Self.trace(prober, hosts[0], table: table, time: 170)
        #expect(baseline.reached)
        try fault(chain)
        for i in 3..<(3 + rounds) {
            try step?(chain, i - 3)
            samples += try await Self.round(prober, hosts, port: port, round: i)
        }
        let now = Double(2 + rounds) * 60
        let verdict = DataPlaneDiagnosis.verdict(samples: samples, now: now, window: 150, routesUp: routesUp)
        try await Task.sleep(for: .seconds(settle))
        let failing = try await Self.trace(prober, hosts[0], table: table, time: now)
        return (verdict, DataPlaneDiagnosis.breakpoint(failing: failing, baseline: baseline, target: .northKorea))
    }

    @Test("the target's replies dropped behind the border, routes up: data-plane outage, stopped at the border")
    func behindTheBorder() async throws {
        let (verdict, breakpoint) = try await Self.run(base: 130, routesUp: 1) { chain in
            try chain.ip(in: chain.names[2], ["route", "replace", "blackhole", "default"])
        }
        #expect(verdict == .dataPlaneOutage(congestion: false))
        #expect(breakpoint == .atBorder(4837))
    }

    @Test("the border link goes down (the target's end of it), routes up: data-plane outage, stopped at the border")
    func linkDown() async throws {
        // The border router queues each probe while it asks for the target's link-layer address; three
        // seconds later the resolution fails and it answers every queued probe with "host unreachable",
        // spending its ICMP budget towards the prober (one a second, Linux's icmp_ratelimit). A trace taken
        // in that second loses the border's own "time exceeded", as a real traceroute would: the trace
        // waits for the failures to be sent and the budget to refill, as an operator retrying would.
        let (verdict, breakpoint) = try await Self.run(base: 210, routesUp: 1, settle: 4.5) { chain in
            try chain.ip(in: chain.names[2], ["link", "set", "in0", "down"])
        }
        #expect(verdict == .dataPlaneOutage(congestion: false))
        #expect(breakpoint == .atBorder(4837))
    }

    @Test("a blackhole in the upstream's border router, routes up: data-plane outage, stopped inside the upstream")
    func upstreamBlackhole() async throws {
        let (verdict, breakpoint) = try await Self.run(base: 140, routesUp: 1) { chain in
            try chain.ip(in: chain.names[1], ["route", "replace", "blackhole", chain.targetAddress + "/32"])
            try chain.ip(in: chain.names[1], ["route", "replace", "blackhole", "198.18.149.1/32"])
        }
        #expect(verdict == .dataPlaneOutage(congestion: false))
        #expect(breakpoint == .insideUpstream(4837))
    }

    @Test("a flood fills the border link's queue (round trips up, then loss), then the upstream blackholes the target")
    func flood() async throws {
        let flooder = Flooder()
        defer { flooder.stop() }
        let (verdict, _) = try await Self.run(
            base: 150, routesUp: 1, rounds: 6,
            fault: { chain in
                // A 2 Mbit/s border link with up to 300 ms of queue, and 4 Mbit/s of junk towards the target.
                try NetnsChainTC.qdisc(
                    chain, "add", ["tbf", "rate", "2mbit", "burst", "4kb", "latency", "300ms"])
                flooder.start(to: chain.targetAddress, bitsPerSecond: 4_000_000)
            },
            step: { chain, i in
                // Remote-triggered blackholing, as upstreams do under attack, from the fourth round on.
                if i == 3 {
                    try chain.ip(in: chain.names[1], ["route", "replace", "blackhole", chain.targetAddress + "/32"])
                    try chain.ip(in: chain.names[1], ["route", "replace", "blackhole", "198.18.159.1/32"])
                }
            })
        #expect(verdict == .dataPlaneOutage(congestion: true))
    }

    @Test("one host gone while the other answers: a host problem, not an outage")
    func oneHostDown() async throws {
        let (verdict, _) = try await Self.run(base: 160, routesUp: 1) { chain in
            try chain.ip(in: chain.names[2], ["addr", "del", "198.18.169.1/32", "dev", "lo"])
        }
        #expect(verdict == .hostProblem(["icmp://198.18.169.1"]))
    }

    @Test("routes down and probes failing: the probes corroborate the routing diagnosis")
    func routesDown() async throws {
        let (verdict, _) = try await Self.run(base: 170, routesUp: 0) { chain in
            try chain.ip(in: chain.names[1], ["route", "replace", "unreachable", chain.targetAddress + "/32"])
            try chain.ip(in: chain.names[1], ["route", "replace", "unreachable", "198.18.179.1/32"])
        }
        #expect(verdict == .corroboratesRouting)
    }
}

/// A queueing discipline on the border router's link towards the target.
enum NetnsChainTC {
    static func qdisc(_ chain: NetnsChain, _ verb: String, _ spec: [String]) throws {
        let r = try Tools.run(
            "/usr/sbin/ip", ["netns", "exec", chain.names[1], "tc", "qdisc", verb, "dev", "out0", "root"] + spec)
        guard r.status == 0 else { throw ValidationFailure("tc: \(String(decoding: r.stderr, as: UTF8.self))") }
    }
}

/// Junk UDP datagrams at a steady rate towards a lab address (the discard port), until stopped.
final class Flooder: @unchecked Sendable {
    private let running = Locked(false)
    private var thread: Thread?

    func start(to address: String, bitsPerSecond: Int) {
        running.withLock { $0 = true }
        let t = Thread { [self] in
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(fd) }
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(9).bigEndian)
            sa.sin_addr.s_addr = inet_addr(address)
            let payload = [UInt8](repeating: 0x55, count: 1000)
            let perMillisecond = max(1, bitsPerSecond / 8 / 1000 / payload.count)
            while running.value {
                for _ in 0..<perMillisecond {
                    _ = withUnsafePointer(to: &sa) { p in
                        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                            payload.withUnsafeBytes {
                                sendto(fd, $0.baseAddress, $0.count, 0, s, socklen_t(MemoryLayout<sockaddr_in>.size))
                            }
                        }
                    }
                }
                usleep(1000)
            }
        }
        thread = t
        t.start()
    }

    func stop() { running.withLock { $0 = false } }
}
