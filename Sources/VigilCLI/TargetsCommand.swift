import ArgumentParser
import BGP
import Vigil

/// `vigil targets`: what Vigil can watch, and what each target contains.
struct TargetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List the known targets and what each contains.",
        discussion: """
            Built-in targets come first, then those of --targets FILE (or $VIGIL_TARGETS). With --country CC \
            --delegated FILE (repeat --country for several), lists the country targets built from that RIR \
            delegated-stats file.
            """
    )

    @OptionGroup var options: TargetOptions

    @Flag(name: .long, help: "One JSON object per target.")
    var json = false

    func run() throws {
        let list: [Target]
        let countries = try options.countryTargets()
        if !countries.targets.isEmpty {
            list = countries.targets.map(\.0)
            if !countries.skipped.isEmpty {
                print(
                    "vigil: \(countries.skipped.count) lines of \(options.delegated ?? "") not understood; first at line \(countries.skipped[0].line)"
                )
            }
        } else {
            list = try options.known()
        }
        for t in list {
            if json {
                var o = JSONObject()
                o.add("name", t.name)
                o.add("summary", t.summary)
                o.add("origins", t.originASNs.sorted().map { Int($0) })
                o.add("prefixes", t.prefixes.map(\.description))
                o.add("tracked", t.trackedPrefixes.map(\.description))
                o.add("upstreams", t.upstreams.keys.sorted().map { Int($0) })
                o.add("probes", t.probeURLs)
                var schedule = JSONObject()
                schedule.add("interval_seconds", t.probeSchedule.interval)
                schedule.add("jitter", t.probeSchedule.jitter)
                schedule.add("timeout_seconds", t.probeSchedule.timeout)
                schedule.add("retries", t.probeSchedule.retries)
                o.add("probe_schedule", raw: schedule.closed)
                print(o.closed)
            } else {
                print("\(t.name): \(t.summary)")
                print("  origins:   \(t.originASNs.sorted().map { "AS\($0)" }.joined(separator: ", "))")
                let shown = t.prefixes.prefix(20).map(\.description).joined(separator: ", ")
                print("  prefixes:  \(shown)\(t.prefixes.count > 20 ? " and \(t.prefixes.count - 20) more" : "")")
                if !t.upstreams.isEmpty {
                    let ups = t.upstreams.keys.sorted().map { asn in
                        ASLabel.text(asn, name: t.upstreamName(asn))
                    }
                    print("  upstreams: \(ups.joined(separator: ", "))")
                }
                if !t.probeHosts.isEmpty {
                    let s = t.probeSchedule
                    print("  probes:    \(t.probeURLs.joined(separator: ", "))")
                    print(
                        "             every \(s.interval.formatted()) s ±\(Int((s.jitter * 100).rounded()))%, timeout \(s.timeout.formatted()) s, \(s.retries) \(s.retries == 1 ? "retry" : "retries")"
                    )
                }
            }
        }
    }
}
