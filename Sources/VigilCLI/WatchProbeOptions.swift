import ArgumentParser
import Probing
import Vigil
import VigilApp

/// `vigil watch`'s probe options: the schedule's overrides, the global cap, traceroutes.
struct WatchProbeOptions: ParsableArguments {
    @Flag(name: .long, help: "Do not probe the target's hosts.")
    var noProbes = false

    @Option(
        name: .long,
        help: ArgumentHelp("Seconds between two probes of one host (default: the target's, 60).", valueName: "seconds"))
    var probeInterval: Double?

    @Option(
        name: .long,
        help: ArgumentHelp("Seconds to wait for each probe's answer (default: the target's, 5).", valueName: "seconds"))
    var probeTimeout: Double?

    @Option(name: .long, help: "At most this many probes per second in all, whatever the schedule says.")
    var maxProbeRate: Double = 10

    @Flag(name: .long, help: "No traceroutes (they place a failure: inside an upstream, at the border, inside).")
    var noTraces = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Prefix-to-AS table naming traceroute hops' ASes (CAIDA pfx2as or pyasn).", valueName: "file"))
    var prefix2as: String?

    func check() throws {
        if let i = probeInterval, i < 1 || i > 86_400 {
            throw ValidationError("--probe-interval must be from 1 to 86400 seconds")
        }
        if let t = probeTimeout, t <= 0 || t > 60 {
            throw ValidationError("--probe-timeout must be more than 0 and at most 60 seconds")
        }
        if maxProbeRate <= 0 || maxProbeRate > 1000 {
            throw ValidationError("--max-probe-rate must be more than 0 and at most 1000")
        }
    }

    /// Puts the overrides into the target's schedule.
    func apply(to target: inout Target) {
        if let probeInterval { target.probeSchedule.interval = probeInterval }
        if let probeTimeout { target.probeSchedule.timeout = probeTimeout }
    }

    /// What the targets' hosts are probed with, or nil when there is nothing to probe. Bad probe URLs are
    /// refused here, before anything runs; ICMP probes this process may not send are left out (a refused
    /// socket must never read as hosts that do not answer). A URL several targets list is probed once and
    /// its results go to each of them; the schedule is the first probing target's (said when others differ).
    func probes(for targets: [Target], say: (String) -> Void) throws -> WatchApp.Probes? {
        let probing = targets.filter { !$0.probeURLs.isEmpty }
        guard !noProbes, let first = probing.first else { return nil }
        var requests: [ProbeRequest] = []
        var seen = Set<String>()
        for target in probing {
            for url in target.probeURLs where seen.insert(url).inserted {
                do {
                    requests.append(try ProbeRequest(url))
                } catch {
                    throw RuntimeError("target \(target.name): probe \(url): \(error)")
                }
            }
        }
        if requests.contains(where: { $0.kind == .icmp }), let problem = Prober.icmpProblem() {
            say("warning: ICMP probes left out: \(problem)")
            requests.removeAll { $0.kind == .icmp }
        }
        let table = try prefix2as.map { try ProbeCommand.loadTable($0) }
        let s = first.probeSchedule
        let others = probing.dropFirst().filter { $0.probeSchedule != s }.map(\.name)
        if !others.isEmpty {
            say(
                "warning: every host is probed on \(first.name)'s schedule; \(others.joined(separator: ", ")) asked for another"
            )
        }
        let hosts = Set(requests.map(\.host)).count
        say(
            "probing \(requests.count) URL\(requests.count == 1 ? "" : "s") on \(hosts) host\(hosts == 1 ? "" : "s") every \(Int(s.interval)) s (±\(Int(s.jitter * 100))%), at most \(maxProbeRate.formatted()) probes/s in all"
                + (noTraces ? "" : ", with traceroutes"))
        return WatchApp.Probes(
            requests: requests, schedule: s, maxRate: maxProbeRate, traces: !noTraces, prefixToAS: table)
    }
}
