import Foundation
import Hummingbird
import Logging
import Testing
import VigilTesting

@testable import Probing

/// Probes against real services on loopback: a listening socket, a closed port, Debian's dnsmasq as an
/// authoritative server (answers checked against dig's), a Hummingbird HTTP server, the kernel's echo
/// and port-unreachable replies.
@Suite(.serialized) struct LoopbackProbeTests {
    static func prober() -> Prober {
        var o = ProbeOptions()
        o.timeout = 2
        o.perDestinationInterval = 0
        o.retries = 0
        return Prober(options: o)
    }

    @Test("TCP: a listening port is reachable with an RTT; a closed one is not, and says refused")
    func tcp() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(listener, p, length) == 0 && getsockname(listener, p, &length) == 0
            }
        }
        listen(listener, 16)
        let open = Int(UInt16(bigEndian: address.sin_port))
        let closed = try LoopbackSocket.freePort()
        let results = await Self.prober().run([
            try ProbeRequest("tcp://127.0.0.1:\(open)"), try ProbeRequest("tcp://localhost:\(closed)"),
        ])
        #expect(results[0].reachable)
        #expect((results[0].rttMs ?? -1) >= 0)
        #expect(results[0].error == nil)
        #expect(!results[1].reachable)
        #expect(results[1].rttMs == nil)
        #expect(results[1].error?.contains("connection refused") == true)
        #expect(results[1].address == "127.0.0.1" || results[1].address == "::1")
    }

    @Test("ICMP echo to 127.0.0.1: answered as root (raw socket) or by a ping socket, else a clear refusal")
    func icmp() async throws {
        let r = await Self.prober().probe(try ProbeRequest("icmp://127.0.0.1"))
        if getuid() == 0 {
            #expect(r.reachable, "\(r.error ?? "")")
        } else {
            #expect(r.reachable || r.error?.contains("ping_group_range") == true, "\(r.error ?? "")")
        }
    }

    @Test("DNS: the SOA answer and its response code agree with dig's, for a served zone and a refused one")
    func dns() async throws {
        let dnsmasq = try Tools.which("dnsmasq", package: "Debian's dnsmasq-base package")
        let dig = try Tools.which("dig", package: "Debian's dnsutils package")
        let port = try LoopbackSocket.freePort()
        // Daemon mode: dnsmasq closes every inherited descriptor, which Foundation's Process would take
        // for its exit; the launcher exits once the server runs, and the pid file says whom to stop.
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("dnsmasq-\(port).pid").path
        let started = try await Tools.run(
            dnsmasq,
            [
                "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--auth-server=ns.vigil.test", "--auth-zone=vigil.test", "--pid-file=\(pidFile)",
            ])
        #expect(started.status == 0, "\(String(decoding: started.stderr, as: UTF8.self))")
        defer {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                // SIGKILL: a child of Foundation's Process inherits a mask that blocks SIGTERM.
                kill(pid, SIGKILL)
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        let codes = ["NOERROR": 0, "SERVFAIL": 2, "NXDOMAIN": 3, "REFUSED": 5]
        for zone in ["vigil.test", "elsewhere.example"] {
            let digged = try await Tools.run(
                dig, ["@127.0.0.1", "-p", "\(port)", zone, "SOA", "+norecurse", "+time=2"]
            )
            .output
            let status = digged.firstMatch(of: /status: ([A-Z]+)/).map { String($0.output.1) } ?? "?"
            let r = await Self.prober().probe(try ProbeRequest("dns://127.0.0.1:\(port)/\(zone)"))
            #expect(r.reachable, "\(zone): \(r.error ?? "")")
            #expect(
                r.dnsRcode == codes[status], "\(zone): dig says \(status), we say \(String(describing: r.dnsRcode))")
            #expect(r.dnsOverTCP == false)
        }
        // Nothing on the port over UDP or TCP: unreachable, with both tries told.
        let none = try LoopbackSocket.freePort()
        let r = await Self.prober().probe(try ProbeRequest("dns://127.0.0.1:\(none)/vigil.test"))
        #expect(!r.reachable)
        #expect(r.error?.contains("UDP:") == true && r.error?.contains("TCP:") == true)
    }

    @Test("HTTP: status and timing from a real server; a server error is reachable but flagged")
    func http() async throws {
        let router = Router()
        router.get("/") { _, _ in "ok" }
        router.get("/down") { _, _ -> HTTPResponse.Status in .serviceUnavailable }
        var logger = Logger(label: "http-probe-test")
        logger.logLevel = .critical
        let port = try LoopbackSocket.freePort()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let task = Task { try await app.runService() }
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(300))
        let results = await Self.prober().run([
            try ProbeRequest("http://127.0.0.1:\(port)/"), try ProbeRequest("http://127.0.0.1:\(port)/down"),
            try ProbeRequest("http://127.0.0.1:\(try LoopbackSocket.freePort())/"),
        ])
        #expect(results[0].reachable && results[0].httpStatus == 200 && results[0].error == nil)
        #expect(results[1].reachable && results[1].httpStatus == 503 && results[1].error == "HTTP 503")
        #expect(!results[2].reachable && results[2].httpStatus == nil && results[2].error != nil)
    }

    @Test("traceroute to 127.0.0.1 without root: one hop, the destination, which answers port unreachable")
    func trace() async throws {
        let r = await Self.prober().probe(try ProbeRequest("trace://127.0.0.1"))
        #expect(r.reachable, "\(r.error ?? "")")
        #expect(r.hops?.count == 1)
        #expect(r.lastHop?.address == "127.0.0.1")
    }

    @Test("a name that does not resolve is a clear error and the other probes still run")
    func unresolvable() async throws {
        // An empty label fails in the resolver itself: no query leaves the machine.
        let results = await Self.prober().run([
            try ProbeRequest("tcp://bad..name:80"), try ProbeRequest("trace://127.0.0.1"),
        ])
        #expect(!results[0].reachable)
        #expect(results[0].error?.contains("cannot resolve bad..name") == true)
        #expect(results[1].reachable)
    }
}
