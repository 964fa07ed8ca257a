import Foundation
import Testing
import VigilTesting

@testable import Probing

/// Probes across namespaces the test builds (two forwarding routers, then a target host, all in
/// 198.18.0.0/15): traceroute hops agree with Debian's traceroute; a blackhole and an unreachable
/// route on the second router end the trace where they are.
@Suite(.enabled(if: NetnsChain.available, "needs root for ip netns"), .serialized)
struct NetnsProbeTests {
    static func prober() -> Prober {
        var o = ProbeOptions()
        o.timeout = 1
        o.perDestinationInterval = 0
        o.retries = 0
        o.maxHops = 8
        return Prober(options: o)
    }

    /// Debian's traceroute: the address that answered each TTL ("*" for none), up to the last answer.
    static func reference(_ address: String) throws -> [String] {
        let traceroute = try Tools.which("traceroute", package: "Debian's traceroute package")
        let out = try Tools.run(traceroute, ["-n", "-q", "1", "-w", "1", "-m", "4", address]).output
        var hops = out.split(separator: "\n").dropFirst().compactMap { line in
            line.split(separator: " ").dropFirst().first.map(String.init)
        }
        while hops.last == "*" { hops.removeLast() }
        return hops
    }

    static func addresses(_ r: ProbeResult) -> [String] {
        var hops = (r.hops ?? []).map { $0.address ?? "*" }
        while hops.last == "*" { hops.removeLast() }
        return hops
    }

    @Test("two routers then the target: the hops Debian's traceroute lists, the target reached")
    func hops() async throws {
        let chain = try NetnsChain(routers: 2, tag: "pt", base: 100)
        defer { chain.remove() }
        let expected = try Self.reference(chain.targetAddress)
        #expect(expected == chain.routerAddresses + [chain.targetAddress])
        // Routers limit their ICMP errors per destination (one a second): let the buckets refill.
        try await Task.sleep(for: .seconds(1.1))
        let r = await Self.prober().probe(try ProbeRequest("trace://\(chain.targetAddress)"))
        #expect(r.reachable, "\(r.error ?? "")")
        #expect(Self.addresses(r) == expected, "\(r.hops ?? [])")
        // The data plane works end to end: the target answers ICMP.
        let echo = await Self.prober().probe(try ProbeRequest("icmp://\(chain.targetAddress)"))
        #expect(echo.reachable, "\(echo.error ?? "")")
    }

    @Test("a blackhole at the second router: the first router is the last to answer, as Debian's traceroute sees")
    func blackhole() async throws {
        let chain = try NetnsChain(routers: 2, tag: "pb", base: 110)
        defer { chain.remove() }
        try chain.ip(in: chain.names[1], ["route", "replace", "blackhole", chain.targetAddress + "/32"])
        // A blackhole drops before the TTL is looked at: the second router says nothing.
        let expected = try Self.reference(chain.targetAddress)
        #expect(expected == [chain.routerAddresses[0]])
        try await Task.sleep(for: .seconds(1.1))
        let r = await Self.prober().probe(try ProbeRequest("trace://\(chain.targetAddress)"))
        #expect(!r.reachable)
        #expect(Self.addresses(r) == expected, "\(r.hops ?? [])")
        #expect(r.error?.contains("last answer from hop 1") == true, "\(r.error ?? "")")
        let echo = await Self.prober().probe(try ProbeRequest("icmp://\(chain.targetAddress)"))
        #expect(!echo.reachable)
    }

    @Test("an unreachable route at the second router: the trace stops there with its ICMP error")
    func unreachable() async throws {
        let chain = try NetnsChain(routers: 2, tag: "pu", base: 120)
        defer { chain.remove() }
        try chain.ip(in: chain.names[1], ["route", "replace", "unreachable", chain.targetAddress + "/32"])
        let r = await Self.prober().probe(try ProbeRequest("trace://\(chain.targetAddress)"))
        #expect(!r.reachable)
        #expect(r.error?.contains("stopped at hop 2 (\(chain.routerAddresses[1]))") == true, "\(r.error ?? "")")
        let tcp = await Self.prober().probe(try ProbeRequest("tcp://\(chain.targetAddress):80"))
        #expect(!tcp.reachable)
        #expect(tcp.error?.contains("unreachable") == true, "\(tcp.error ?? "")")
    }
}
