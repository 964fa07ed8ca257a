import Foundation
import Testing
import VigilTesting

/// `vigil watch`'s probing, run as a user runs it: a targets file lists probes and their schedule, the
/// real binary probes them (loopback only) and the API shows what it found per URL and bin.
@Suite(.serialized) struct WatchProbesCommandTests {
    /// A listening TCP socket on 127.0.0.1 (the kernel completes handshakes into its backlog) and its port.
    static func listener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &sa) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw CLITestFailure("cannot listen on 127.0.0.1") }
        return (fd, Int(UInt16(bigEndian: sa.sin_port)))
    }

    static func targetsFile(_ probes: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("targets-\(UUID().uuidString).toml")
            .path
        try """
        [target.lab]
        prefixes = ["192.0.2.0/24"]
        probes = [\(probes.map { "\"\($0)\"" }.joined(separator: ", "))]
        probe_interval_seconds = 1
        probe_timeout_seconds = 0.5
        probe_retries = 0
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a probe URL Vigil cannot run is refused when the targets file is read, naming the file, line and URL")
    func badProbe() throws {
        let file = try Self.targetsFile(["tcp://127.0.0.1:9", "ftp://127.0.0.1"])
        let r = try Tools.run(
            try Tools.vigil(),
            [
                "watch", "--targets", file, "--target", "lab", "--no-ris-live", "--bmp", "127.0.0.1:0", "--store",
                ServeCommandTests.newStorePath(), "--port", "0",
            ])
        #expect(r.status != 0)
        let err = String(decoding: r.stderr, as: UTF8.self)
        #expect(err.contains("\(file):3: probes: ftp://127.0.0.1: unknown scheme ftp"), "\(err)")
    }

    @Test(
        "the target's probes run on its schedule; the API gives each URL's bins: the open port answered, the closed one refused"
    )
    func probesAppearInTheAPI() async throws {
        let (fd, open) = try Self.listener()
        defer { close(fd) }
        let closed = try LoopbackSocket.freePort()
        // "bad..name" cannot resolve, and its empty label means no query leaves the machine.
        let file = try Self.targetsFile(["tcp://127.0.0.1:\(open)", "tcp://127.0.0.1:\(closed)", "tcp://bad..name:80"])
        let watch = try ServeCommandTests.start([
            "watch", "--targets", file, "--target", "lab", "--no-ris-live", "--bmp", "127.0.0.1:0", "--store",
            ServeCommandTests.newStorePath(), "--port", "0", "--max-probe-rate", "5", "--no-traces",
        ])
        let port = try await watch.port()
        // Bins are committed on the next tick after each probe; a few rounds at one a second.
        var bins: [[String: Any]] = []
        for _ in 0..<100 {
            let body = try await LoopbackSocket.httpGet("/api/v1/probes?target=lab", port: port).body
            let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            bins = object?["probes"] as? [[String: Any]] ?? []
            let sent = bins.reduce(0) { $0 + ($1["sent"] as? Int ?? 0) }
            if sent >= 8 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(watch.stop() == 0)
        let output = watch.output
        #expect(output.contains("probing 3 URLs on 2 hosts every 1 s"), "\(output)")
        func total(_ url: String, _ key: String) -> Int {
            bins.filter { $0["url"] as? String == url }.reduce(0) { $0 + ($1[key] as? Int ?? 0) }
        }
        let good = "tcp://127.0.0.1:\(open)"
        let bad = "tcp://127.0.0.1:\(closed)"
        #expect(total(good, "sent") >= 2 && total(good, "answered") == total(good, "sent"), "\(bins)")
        #expect(total(bad, "sent") >= 2 && total(bad, "answered") == 0, "\(bins)")
        #expect(bins.contains { ($0["last_error"] as? String)?.contains("refused") == true })
        // The name that does not resolve fails with the resolver's words; the others went on.
        let unresolved = bins.filter { $0["url"] as? String == "tcp://bad..name:80" }
        #expect(total("tcp://bad..name:80", "sent") >= 1 && total("tcp://bad..name:80", "answered") == 0)
        #expect(total("tcp://bad..name:80", "attempts") == 0, "nothing was sent to a name that did not resolve")
        #expect(
            unresolved.contains { ($0["last_error"] as? String)?.contains("cannot resolve bad..name") == true },
            "\(unresolved)")
        // One host failing while the other answers is a host problem: a notice, not an event.
        #expect(output.contains("probe host \(bad) stopped answering while the others answer"), "\(output)")
        #expect(!output.contains("EVENT"), "\(output)")
    }
}
