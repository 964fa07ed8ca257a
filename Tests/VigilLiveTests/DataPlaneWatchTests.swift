import BGP
import Foundation
import Probing
import Testing
import Vigil
import VigilStore
import VigilTesting

@testable import VigilLive

/// Both planes at once, as `vigil watch` runs them: the routing lab's collector RIB (real FRR and GoBGP
/// routers, four prefixes up through AS4837 and AS20485) seeds the engine, and the watch service probes
/// hosts in namespaces the test builds (an upstream's two routers in AS4837, the target in AS131279,
/// all in 198.18.0.0/15) on a one-second schedule with traceroutes. Faults are staged on the namespaces;
/// the events must appear in the store with the cause, times and place the staging implies.
@Suite(
    .enabled(if: NetnsChain.available, "needs root for ip netns"),
    .enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"), .serialized)
struct DataPlaneWatchTests {
    static func events(_ store: History) -> [DetectedEvent] { (try? store.events()) ?? [] }

    @Test(
        "routes up, packets dropped behind the border: data-plane event placed at AS4837's border; repaired: closed; routes down too: the routing event carries the probes' corroboration"
    )
    func bothPlanes() async throws {
        let truth = try LabRecordings.truth("origin-down")
        let base = 200
        let chain = try NetnsChain(routers: 2, tag: "dw", base: base)
        defer { chain.remove() }
        // The target's hosts: the first answers ICMP and TCP, the second is its name server (Debian's
        // dnsmasq, authoritative for vigil.test), the third its web server (Python's http.server).
        let (second, third) = ("198.18.\(base + 9).1", "198.18.\(base + 9).2")
        try chain.addTargetHost(second)
        try chain.addTargetHost(third)
        let t = chain.targetAddress
        let listener = try chain.listenTCP(in: chain.names[2], address: t, port: 8080)
        defer { close(listener) }
        let services = try TargetServices.start(in: chain.names[2], dns: second, web: third, port: 8081)
        defer { services.stop() }
        try await services.waitUntilServing("http://\(third):8081/")
        var target = Target.northKorea
        target.thresholds.fullFeedIPv4 = truth.population / 2
        target.probeHosts = [
            "icmp://\(t)", "tcp://\(t):8080", "dns://\(second)/vigil.test", "http://\(third):8081/",
        ]
        target.probeSchedule.interval = 1
        target.probeSchedule.jitter = 0.1
        // 0.9 s: under a second, so each host's probes still start every interval, and long enough for a
        // web server in Python to answer while the other suites keep both cores busy.
        target.probeSchedule.timeout = 0.9
        target.probeSchedule.retries = 0
        let table = PrefixToAS(text: NetnsChain.prefixToASText(base: base))

        let store = try Live.temporaryStore()
        let engine = LiveEngine(target: target, store: store, binSeconds: 60)
        _ = try engine.resume(now: Date().timeIntervalSince1970)
        let ribs = truth.mrt.filter { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("rib") }
        _ = try RIBSeeder.seed(engine, paths: ribs) { Issue.record("RIB warning: \($0)") }
        engine.settleVotes()
        #expect(engine.signals(now: Date().timeIntervalSince1970).prefixesUp(0.5) == 4, "the RIB's routes are up")

        var options = WatchService.Options()
        options.probes = ProbeScheduler(
            engine: engine, requests: try target.probeURLs.map { try ProbeRequest($0) }, schedule: target.probeSchedule,
            maxRate: 20, traces: true, prefixToAS: table)
        let service = WatchService(engine: engine, options: options, logger: Live.logger)
        let running = Task { try await service.run() }
        defer { running.cancel() }

        // Healthy: every host answers (the name server with NOERROR, the web server with 200), nothing opens.
        // Waited for, not timed: each host's first probes come within its first intervals, later on a
        // machine the other suites keep busy.
        let settled = try await Live.wait(seconds: 30, every: .milliseconds(200)) {
            engine.commitPending()
            let bins = (try? store.probeBins(target: target.name, from: 0, to: 4e9, bin: 4e9)) ?? []
            return bins.count == 4 && bins.allSatisfy { $0.sent >= 2 } && engine.dataPlaneVerdict == .healthy
        }
        let healthy = try store.probeBins(target: target.name, from: 0, to: 4e9, bin: 4e9)
        #expect(settled, "\(engine.dataPlaneVerdict) \(healthy)")
        // Every host answered; a single first probe lost to a busy machine (Python's web server is slow
        // to take its first request while both cores are busy) is what the verdict tolerates, not a fault.
        #expect(healthy.count == 4 && healthy.allSatisfy { $0.answered > 0 }, "\(healthy)")
        #expect(Self.events(store).isEmpty, "\(Self.events(store).map(\.cause))")
        #expect(engine.dataPlaneVerdict == .healthy)

        // The target's replies are dropped behind the border (its default route blackholed).
        let faultAt = Date().timeIntervalSince1970
        try chain.ip(in: chain.names[2], ["route", "replace", "blackhole", "default"])
        let placed = try await Live.wait(seconds: 20) {
            Self.events(store).contains { $0.cause == .dataPlane && $0.upstreams == [4837] }
        }
        let event = try #require(Self.events(store).first { $0.cause == .dataPlane }, "no data-plane event")
        #expect(placed, "\(event.evidence)")
        // The start is the first failed probe of the last URL to fail. The target's address carries two
        // URLs and, once a probe fails, a traceroute: three users of its one turn a second (the
        // per-destination gate), so its URLs see the fault within 3 × 1 s, plus the 0.9 s timeout, plus
        // a second of slack for a schedule that slips while every other suite keeps both cores busy (CI
        // saw 4.5 s).
        #expect(
            event.start >= faultAt - 0.01 && event.start <= faultAt + 3 + 0.9 + 1.0,
            "\(event.start - faultAt) \(faultAt) \(event.evidence)")
        #expect(event.end == nil)
        #expect(event.evidence.contains("the routes stayed up: 4 of 4 prefixes visible"))
        #expect(
            event.evidence.contains {
                $0.contains("stops at the border: AS4837 (China Unicom)'s last router 198.18.\(base + 1).2")
            }, "\(event.evidence)")

        // Repaired: the first answer ends it.
        let repairAt = Date().timeIntervalSince1970
        try chain.ip(in: chain.names[2], ["route", "replace", "default", "via", "198.18.\(base + 2).1"])
        let closed = try await Live.wait(seconds: 10) {
            Self.events(store).contains { $0.id == event.id && $0.end != nil }
        }
        #expect(closed)
        let ended = try #require(Self.events(store).first { $0.id == event.id })
        let end = try #require(ended.end)
        // The second host has its address to itself: its next probe, within 1.1 s, answers.
        #expect(end >= repairAt && end <= repairAt + 1.1 + 0.2, "\(end - repairAt)")
        #expect(try store.events(open: true).isEmpty)

        // The target withdraws its routes (every peer, now), then its hosts stop answering: the routing
        // event opens and the probes corroborate it; no data-plane event opens.
        let withdrawAt = Date().timeIntervalSince1970
        let tracked = Set(target.trackedPrefixes)
        let withdrawals = try store.routes(target: target.name).filter { tracked.contains($0.prefix) }.map {
            RouteEvent(time: withdrawAt, peer: $0.peer, kind: .withdraw, prefix: $0.prefix)
        }
        try #require(!withdrawals.isEmpty)
        engine.apply(withdrawals)
        try chain.ip(in: chain.names[1], ["route", "replace", "unreachable", t + "/32"])
        try chain.ip(in: chain.names[1], ["route", "replace", "unreachable", second + "/32"])
        try chain.ip(in: chain.names[1], ["route", "replace", "unreachable", third + "/32"])
        let corroborated = try await Live.wait(seconds: 40) {
            Self.events(store).contains { e in
                e.cause != .dataPlane && e.end == nil && e.evidence.contains { $0.hasPrefix("probes corroborate") }
            }
        }
        #expect(corroborated, "\(Self.events(store).map { "\($0.cause) \($0.evidence)" })")
        let routing = try #require(Self.events(store).first { $0.cause != .dataPlane })
        #expect(routing.prefixes.count == 4 && abs(routing.start - withdrawAt) < 1)
        #expect(!Self.events(store).contains { $0.cause == .dataPlane && $0.start > withdrawAt })
        // Per host per bin, every probe is in the store.
        let bins = try store.probeBins(target: target.name, from: faultAt - 60, to: Date().timeIntervalSince1970 + 60)
        #expect(Set(bins.map(\.url)) == Set(target.probeURLs))
        running.cancel()
        _ = await running.result
    }
}

/// The target namespace's name server and web server, run inside it with `ip netns exec`.
struct TargetServices {
    let pidFile: String
    let web: Process

    static func start(in namespace: String, dns: String, web address: String, port: Int) throws -> TargetServices {
        let dnsmasq = try Tools.which("dnsmasq", package: "Debian's dnsmasq-base package")
        let python = try Tools.which("python3", package: "Debian's python3 package")
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("dnsmasq-\(namespace).pid").path
        // Daemon mode: dnsmasq closes inherited descriptors, which Process would take for its exit.
        let started = try Tools.run(
            "/usr/sbin/ip",
            [
                "netns", "exec", namespace, dnsmasq, "--port=53", "--listen-address=\(dns)", "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--auth-server=ns.vigil.test", "--auth-zone=vigil.test",
                "--pid-file=\(pidFile)",
            ])
        guard started.status == 0 else {
            throw ValidationFailure("dnsmasq: \(String(decoding: started.stderr, as: UTF8.self))")
        }
        let web = Process()
        web.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        web.arguments = [
            "netns", "exec", namespace, python, "-m", "http.server", "\(port)", "--bind", address, "--directory",
            "/tmp",
        ]
        web.standardOutput = FileHandle.nullDevice
        web.standardError = FileHandle.nullDevice
        try web.run()
        return TargetServices(pidFile: pidFile, web: web)
    }

    /// Waits until the web server answers (Python takes a moment to start), up to 20 s.
    func waitUntilServing(_ url: String) async throws {
        var options = ProbeOptions()
        options.perDestinationInterval = 0
        options.timeout = 1
        let prober = Prober(options: options)
        for _ in 0..<40 {
            if await prober.probe(try ProbeRequest(url)).reachable { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw ValidationFailure("the web server in the target namespace did not start")
    }

    /// SIGKILL: children of Foundation's Process inherit a mask that blocks SIGTERM.
    func stop() {
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(pid, SIGKILL)
        }
        kill(web.processIdentifier, SIGKILL)
        web.waitUntilExit()
    }
}
