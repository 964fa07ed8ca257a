import Foundation
import Testing
import VigilTesting

#if canImport(Glibc)
    import Glibc
#endif

/// The security review of issue 14, replayed as an outsider on loopback would: every finding against a
/// real `vigil serve` or `vigil watch`, each checked to be refused, bounded or harmless now.
@Suite(.serialized) struct SecurityTests {
    typealias Running = ServeCommandTests.Running

    /// `vigil watch` on BMP only (no RIS Live, no probes), serving on a free port.
    static func watch(_ extra: [String] = [], store: String = ServeCommandTests.newStorePath()) async throws -> (
        Running, Int
    ) {
        let w = try ServeCommandTests.start(
            ["watch", "--no-ris-live", "--bmp", "127.0.0.1:0", "--store", store, "--port", "0", "--no-probes"]
                + extra)
        return (w, try await w.port())
    }

    /// A store made by `vigil serve` (its schema, as every version of Vigil migrates it), then filled by the
    /// sqlite3 shell with `sql`, as a watch would have left it.
    static func store(with sql: String) async throws -> String {
        let store = ServeCommandTests.newStorePath()
        let serve = try ServeCommandTests.start(["serve", "--store", store, "--port", "0"])
        _ = try await serve.port()
        _ = serve.stop()
        _ = try await Tools.sqlite(store, sql)
        return store
    }

    /// A GET with `Host: 127.0.0.1` (or `host`).
    static func get(_ path: String, port: Int, host: String = "127.0.0.1") throws -> (
        status: Int, head: String, body: String
    ) {
        try LoopbackSocket.http("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n", port: port)
    }

    // MARK: Finding 1: one GET killed the server

    @Test("times that trapped (19 fraction digits, 1e19, -inf, 1e999) are 400s that say why; the server lives on")
    func oneGETCannotKill() async throws {
        let (watch, port) = try await Self.watch()
        defer { _ = watch.stop() }
        let paths = [
            "/api/v1/events?since=2025-01-01T00:00:00.9999999999999999999Z",
            "/api/v1/events?until=-inf",
            "/api/v1/events?since=1e19",
            "/api/v1/signals?target=north-korea&to=1e19",
            "/api/v1/signals?target=north-korea&from=-inf",
            "/api/v1/signals?target=north-korea&from=2025-01-01T00:00:00.99999999999999999999Z",
            "/api/v1/probes?target=north-korea&to=1e999",
            "/api/v1/probes?target=north-korea&from=nan",
            "/targets/north-korea?from=2025-01-01T00:00:00.9999999999999999999Z",
            "/targets/north-korea?to=1e19",
            "/targets/north-korea?to=-9.3e18",
        ]
        for path in paths {
            let r = try Self.get(path, port: port)
            #expect(r.status == 400, "\(path): \(r.status) \(r.body)")
            let object = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
            let message = (object?["error"] as? [String: Any])?["message"] as? String
            #expect(message?.isEmpty == false, "\(path): \(r.body)")
        }
        #expect(try Self.get("/healthz", port: port).status == 200)
        #expect(watch.process.isRunning)
    }

    @Test("an empty since is absent (as the OpenAPI document allows); TRACE and other methods get 405 with Allow")
    func methodsAndEmptyValues() async throws {
        let (watch, port) = try await Self.watch()
        defer { _ = watch.stop() }
        #expect(try Self.get("/api/v1/events?since=&until=", port: port).status == 200)
        for method in ["TRACE", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let r = try await LoopbackSocket.http(
                "\(method) /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                port: port)
            #expect(r.status == 405, "\(method): \(r.status)")
            // Allow lists exactly what the resource supports.
            #expect(r.head.lowercased().contains("allow: get, head\r"), "\(method): \(r.head)")
            let notes = try await LoopbackSocket.http(
                "\(method) /api/v1/events/1/annotations HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Length: 0\r\n\r\n", port: port)
            #expect(notes.status == 405)
            #expect(notes.head.lowercased().contains("allow: get, head, post"), "\(method): \(notes.head)")
        }
        let post = try await LoopbackSocket.http(
            "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            port: port)
        #expect(post.status == 405)
        let head = try await LoopbackSocket.http(
            "HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
        #expect(head.status == 200)
    }

    // MARK: DNS rebinding

    @Test(
        "a Host the server was not told to answer to gets 421; localhost, the loopback addresses and --allowed-host pass"
    )
    func hostHeader() async throws {
        let (watch, port) = try await Self.watch(["--allowed-host", "Vigil.Example.net"])
        defer { _ = watch.stop() }
        let refused = try Self.get("/api/v1/status", port: port, host: "attacker.example:\(port)")
        #expect(refused.status == 421)
        #expect(refused.body.contains("--allowed-host"))
        for host in ["localhost:\(port)", "127.0.0.1:\(port)", "[::1]:\(port)", "vigil.example.net", "LOCALHOST"] {
            #expect(try Self.get("/api/v1/status", port: port, host: host).status == 200, "\(host)")
        }
    }

    // MARK: Finding 3: secrets in /metrics

    @Test("/metrics names webhooks by format and host, never by URL (the Slack secret stays out)")
    func metricsWithoutSecrets() async throws {
        // The store as vigil watch leaves it with two alerts queued for a Slack hook and one for a JSON hook.
        let store = try await Self.store(
            with:
                """
                INSERT INTO outbox (hook, subject, kind, body, created, next_try) VALUES
                  ('slack https://hooks.slack.com/services/T000/B000/SECRET', 'event:1', 'event_start', '{}', 1, 1),
                  ('slack https://hooks.slack.com/services/T000/B000/SECRET', 'event:1', 'event_end', '{}', 2, 2),
                  ('slack https://hooks.slack.com/services/T111/B111/OTHER', 'event:1', 'event_start', '{}', 1, 1),
                  ('json https://user:pass@noc.example/hook?key=SECRET2', 'event:1', 'event_start', '{}', 1, 1);
                """)
        let again = try ServeCommandTests.start(["serve", "--store", store, "--port", "0"])
        defer { _ = again.stop() }
        let metrics = try Self.get("/metrics", port: try await again.port()).body
        #expect(!metrics.contains("SECRET") && !metrics.contains("services") && !metrics.contains("pass"))
        // Two hooks on one host are told apart by order.
        let lines = metrics.split(separator: "\n").filter { $0.hasPrefix("vigil_webhook_pending{") }.sorted()
        #expect(
            lines == [
                #"vigil_webhook_pending{hook="json noc.example"} 1"#,
                #"vigil_webhook_pending{hook="slack hooks.slack.com #2"} 1"#,
                #"vigil_webhook_pending{hook="slack hooks.slack.com"} 2"#,
            ], "\(lines)")
    }

    // MARK: Finding 4: idle sockets, slow headers

    @Test("1,100 idle sockets against a server limited to 1,024 descriptors: /healthz still answers at once")
    func idleSockets() async throws {
        let store = ServeCommandTests.newStorePath()
        let vigil = try Tools.vigil()
        let serve = try ServeCommandTests.start(
            [
                "-c", "ulimit -n 1024 && exec \"$0\" serve --store \"$1\" --port 0", vigil, store,
            ], executable: "/bin/sh")
        defer { _ = serve.stop() }
        let port = try await serve.port()
        var idle: [LoopbackSocket.Connection] = []
        defer { for c in idle { c.close() } }
        for _ in 0..<1100 { idle.append(try LoopbackSocket.Connection(port: port)) }
        try await Task.sleep(for: .milliseconds(500))
        let started = Date()
        let r = try await LoopbackSocket.http(
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port, timeout: 10)
        #expect(r.status == 200)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(serve.process.isRunning)
        #expect(!serve.output.contains("Too many open files"), "\(serve.output)")
    }

    @Test("a request head dripped byte by byte (slowloris) is closed at the idle timeout")
    func slowHeader() async throws {
        let (watch, port) = try await Self.watch(["--idle-timeout", "2"])
        defer { _ = watch.stop() }
        let c = try LoopbackSocket.Connection(port: port)
        defer { c.close() }
        let started = Date()
        var closed = false
        for byte in "GET /healthz HTTP/1.1\r\nX-Slow: ".utf8 {
            try? c.send([byte])
            if c.peerClosed(timeout: 0.3) {
                closed = true
                break
            }
        }
        if !closed { closed = c.peerClosed(timeout: 6) }
        #expect(closed)
        let took = Date().timeIntervalSince(started)
        #expect(took >= 1.5 && took < 8, "closed after \(took) s")
    }

    // MARK: Finding 7: a 400-day answer of 148 MB

    @Test("400 days of one-minute bins: the answer holds at most 20,000 bins, widened, and says its bin")
    func boundedAnswer() async throws {
        // 576,000 one-minute bins from 2025-01-01 (1735689600), written by the sqlite3 shell.
        let store = try await Self.store(
            with:
                """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 575999)
                INSERT INTO signals (target, start, seconds, prefixes_up, prefixes, voting_peers, updates,
                    visibility, upstreams) SELECT 't', 1735689600 + i * 60, 60, 4, 4, 10, 0, '{}', '{}' FROM n;
                """)
        let again = try ServeCommandTests.start(["serve", "--store", store, "--port", "0"])
        defer { _ = again.stop() }
        let port = try await again.port()
        for query in ["", "&bin=60", "&bin=1"] {
            let r = try SecurityTests.get(
                "/api/v1/signals?target=t&from=1735689600&to=1770249600\(query)", port: port)
            #expect(r.status == 200)
            let object = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
            let bins = (object?["signals"] as? [[String: Any]]) ?? []
            // 400 days = 34,560,000 s; / 20,000 = 1,728 s per bin: 20,000 bins (the last partial one included).
            #expect(object?["bin"] as? Double == 1728, "\(query)")
            #expect(bins.count <= 20_001 && bins.count >= 19_999, "\(query): \(bins.count)")
            #expect(r.body.utf8.count < 8_000_000, "\(query): \(r.body.utf8.count) bytes")
        }
    }

    // MARK: Small findings

    @Test("a BMP listener on every address says so, naming the allow-list in force")
    func wildcardWarning() async throws {
        let w = try ServeCommandTests.start([
            "watch", "--no-ris-live", "--bmp", "0.0.0.0:0", "--store", ServeCommandTests.newStorePath(), "--port", "0",
            "--no-probes",
        ])
        _ = try await w.port()
        _ = w.stop()
        #expect(w.output.contains("warning: BMP listens on every address (0.0.0.0)"))
        #expect(w.output.contains("127.0.0.0/8,::1/128"))
    }

    @Test("vigil targets: a bad probe URL in a targets file is an error at its line; numbered upstreams print once")
    func targetsFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("t-\(UUID().uuidString).toml").path
        try "[target.x]\nprefixes = [\"192.0.2.0/24\"]\nupstreams = [4837]\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        let ok = try Tools.run(try Tools.vigil(), ["targets", "--targets", file])
        let text = String(decoding: ok.stdout, as: UTF8.self)
        #expect(text.contains("AS4837") && !text.contains("AS4837 AS4837"), "\(text)")
        try "[target.x]\nprefixes = [\"192.0.2.0/24\"]\nprobes = [\"gopher://example.net/\"]\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        let bad = try Tools.run(try Tools.vigil(), ["targets", "--targets", file])
        #expect(bad.status != 0)
        #expect(String(decoding: bad.stderr, as: UTF8.self).contains("\(file):3: probes: gopher://example.net/"))
    }

    @Test("an API token file others may read is refused, as ssh refuses such a key")
    func tokenFileMode() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)").path
        try "a-long-enough-token-0123456789\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        let r = try Tools.run(
            try Tools.vigil(),
            ["serve", "--store", ServeCommandTests.newStorePath(), "--port", "0", "--api-token-file", file])
        #expect(r.status != 0)
        #expect(String(decoding: r.stderr, as: UTF8.self).contains("chmod 600"))
    }

    @Test("annotations with a NUL or other control characters are refused, and a stored note is kept whole")
    func annotationControlCharacters() async throws {
        let token = "a-long-enough-token-0123456789"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(
            atPath: file, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600])
        let store = try await Self.store(
            with:
                """
                INSERT INTO events (id, target, cause, confidence, start, "end", prefixes, upstreams, origins, severity,
                  evidence, state, updated)
                VALUES (1, 'north-korea', 'origin-side', 0.9, 100, 200, '[]', '[]', '[]', 1, '[]', 'closed', 200);
                """)
        let again = try ServeCommandTests.start(["serve", "--store", store, "--port", "0", "--api-token-file", file])
        defer { _ = again.stop() }
        let port = try await again.port()
        func post(_ json: String) throws -> Int {
            try LoopbackSocket.http(
                "POST /api/v1/events/1/annotations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\nConnection: close\r\n\r\n\(json)",
                port: port
            ).status
        }
        #expect(try post(#"{"text":"before\u0000after"}"#) == 400)
        #expect(try post(#"{"text":"ok","author":"me\u001b[31m"}"#) == 400)
        #expect(try post(#"{"text":"line one\nline two"}"#) == 201)
        let stored = try await Tools.sqlite(store, "SELECT text FROM annotations;")
        #expect(stored.trimmingCharacters(in: .whitespacesAndNewlines) == "line one\nline two")
    }

    @Test("a 500 tells nothing of the store's path or SQL; the log has the details")
    func scrubbedErrors() async throws {
        let store = ServeCommandTests.newStorePath()
        let serve = try ServeCommandTests.start(["serve", "--store", store, "--port", "0"])
        let port = try await serve.port()
        defer { _ = serve.stop() }
        // Break the store under the running server.
        _ = try await Tools.sqlite(store, "DROP TABLE events;")
        let r = try Self.get("/api/v1/events", port: port)
        #expect(r.status == 500)
        #expect(
            !r.body.contains(store) && !r.body.contains("SELECT") && !r.body.lowercased().contains("sql"), "\(r.body)")
        #expect(r.body.contains("the server's log"))
        #expect(try Self.get("/healthz", port: port).status == 200)
    }
}

/// Findings 2, 5 and 6: what a BMP peer or a RIS Live server can send.
@Suite(.serialized) struct SourceSecurityTests {
    /// BMP bytes built by hand from RFC 7854 (4.1 common header, 4.2 per-peer header, 4.10 Peer Up, 4.6
    /// Route Monitoring) around RFC 4271 OPEN and UPDATE messages.
    enum Forge {
        static func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        static func u32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF)] + u16(v) }

        static func message(type: UInt8, _ body: [UInt8]) -> [UInt8] { [3] + u32(6 + body.count) + [type] + body }

        /// Per-peer header: global instance, IPv4, pre-policy, 4-byte ASNs; peer 192.0.2.1 AS64500.
        static var peer: [UInt8] {
            [0, 0] + [UInt8](repeating: 0, count: 8) + [UInt8](repeating: 0, count: 12) + [192, 0, 2, 1] + u32(64500)
                + [192, 0, 2, 1] + u32(1_749_231_003) + u32(0)
        }

        static func bgp(type: UInt8, _ body: [UInt8]) -> [UInt8] {
            [UInt8](repeating: 0xFF, count: 16) + u16(19 + body.count) + [type] + body
        }

        static var open: [UInt8] { bgp(type: 1, [4] + u16(23456) + u16(180) + [192, 0, 2, 1] + [0]) }

        static var peerUp: [UInt8] {
            message(
                type: 3,
                peer + [UInt8](repeating: 0, count: 12) + [192, 0, 2, 2] + u16(179) + u16(50000) + open + open)
        }

        /// An UPDATE announcing North Korea's 175.45.176.0/24 with AS64666 as its origin: a hijack.
        static var hijack: [UInt8] {
            let attributes: [UInt8] =
                [0x40, 1, 1, 0] + [0x40, 2, 10, 2, 2] + u32(64500) + u32(64666) + [0x40, 3, 4, 192, 0, 2, 1]
            let update = bgp(type: 2, u16(0) + u16(attributes.count) + attributes + [24, 175, 45, 176])
            return message(type: 0, peer + update)
        }
    }

    static func bmpPort(_ running: ServeCommandTests.Running) async throws -> Int {
        for _ in 0..<300 {
            if let r = running.output.range(of: #"BMP listening on port [0-9]+"#, options: .regularExpression),
                let port = Int(running.output[r].split(separator: " ").last ?? "")
            {
                return port
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CLITestFailure("no BMP port in \(running.output)")
    }

    static func events(_ store: String) throws -> String {
        String(decoding: try Tools.run(try Tools.vigil(), ["events", "--store", store]).stdout, as: UTF8.self)
    }

    @Test("forged Peer Up and Route Monitoring from an address not allowed are closed at accept: no event, a log line")
    func bmpAllowList() async throws {
        let store = ServeCommandTests.newStorePath()
        let (watch, _) = try await SecurityTests.watch(["--bmp-allow", "127.0.0.2/32"], store: store)
        defer { _ = watch.stop() }
        let port = try await Self.bmpPort(watch)
        let forged = Forge.peerUp + Forge.hijack
        // From 127.0.0.1: not allowed.
        let outsider = try LoopbackSocket.Connection(port: port)
        try? outsider.send(forged)
        #expect(outsider.peerClosed(timeout: 5))
        outsider.close()
        try await Task.sleep(for: .seconds(2))
        #expect(watch.output.contains("BMP connection from 127.0.0.1 refused: not in the allowed addresses"))
        #expect(!watch.output.contains("BMP router bmp:127.0.0.1 connected"))
        let none = try Self.events(store)
        #expect(none.contains("no events"), "\(none)")
        // The same bytes from the allowed 127.0.0.2 are read: they are potent, the allow-list is what stopped them.
        let router = try LoopbackSocket.Connection(port: port, source: "127.0.0.2")
        try router.send(forged)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !(try Self.events(store).contains("hijack")) {
            try await Task.sleep(for: .milliseconds(200))
        }
        router.close()
        #expect(watch.output.contains("BMP router bmp:127.0.0.2 connected"))
        #expect(try Self.events(store).contains("hijack"), "\(watch.output)")
    }

    /// The resident memory of a process, kB (`VmRSS` in /proc).
    static func rss(_ pid: Int32) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test("300 connections each holding an unfinished message cannot make the station hold hundreds of megabytes")
    func bmpMemory() async throws {
        let (watch, _) = try await SecurityTests.watch()
        defer { _ = watch.stop() }
        let port = try await Self.bmpPort(watch)
        try await Task.sleep(for: .seconds(1))
        let before = Self.rss(watch.process.processIdentifier)
        var open: [LoopbackSocket.Connection] = []
        defer { for c in open { c.close() } }
        // The finding's attack: a header declaring 1 MiB, then all but the last byte of it. And the largest
        // message the station now accepts (256 KiB), unfinished, on every connection it lets in.
        for i in 0..<300 {
            let c = try LoopbackSocket.Connection(port: port)
            let length = i % 2 == 0 ? 1 << 20 : 1 << 18
            let header: [UInt8] = [3] + Forge.u32(length) + [0] + Forge.peer
            try? c.send(header + [UInt8](repeating: 0, count: length - header.count - 1))
            open.append(c)
        }
        try await Task.sleep(for: .seconds(3))
        let after = Self.rss(watch.process.processIdentifier)
        #expect(watch.process.isRunning)
        // 64 routers at most, each holding at most 256 KiB: 16 MiB; the finding grew by 395 MB.
        #expect(after - before < 60_000, "RSS \(before) kB → \(after) kB")
        #expect(watch.output.contains("64 routers are connected already"))
    }

    static func risFrame(_ timestamp: String, prefix: String = "84.205.64.0/24") -> String {
        #"{"type":"ris_message","data":{"timestamp":"# + timestamp
            + #","peer":"192.0.2.1","peer_asn":"64500","id":"x","host":"rrc00.ripe.net","type":"UPDATE","path":[64500,12654],"announcements":[{"next_hop":"192.0.2.1","prefixes":[""#
            + prefix + #""]}]}}"#
    }

    @Test(
        "RIS Live frames stamped 1e19, 1e999 or 2100, or nested 500,000 deep, are skipped and counted; bins go on; SIGTERM stops it"
    )
    func risLiveFrames() async throws {
        let now = Date().timeIntervalSince1970
        let good = (0..<3).map { RISTestFrame(text: Self.risFrame(String(format: "%.2f", now + Double($0)))) }
        let bad = [
            Self.risFrame("1e19"), Self.risFrame("1e999"), Self.risFrame("4102444800.0"),
            #"{"type":"ris_message","data":{"x":"# + String(repeating: "[", count: 500_000) + "}}",
        ]
        let server = FakeRISLiveServer(frames: good) { n in n == 1 ? .raw(bad, then: .send(nil)) : .send(nil) }
        let task = Task { try await server.run() }
        defer { task.cancel() }
        for _ in 0..<500 where server.port == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let store = ServeCommandTests.newStorePath()
        let watch = try ServeCommandTests.start([
            "watch", "--ris-live", server.url, "--store", store, "--port", "0", "--no-probes", "--bin", "1",
        ])
        let port = try await watch.port()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, server.remaining > 0 { try await Task.sleep(for: .milliseconds(100)) }
        try await Task.sleep(for: .seconds(7))
        #expect(watch.process.isRunning)
        let skipped = watch.output.components(separatedBy: "skipped:").count - 1
        #expect(skipped == 4, "\(watch.output)")
        #expect(watch.output.contains("timestamp is after the year 9999"))
        #expect(watch.output.contains("ahead of this machine's clock"))
        #expect(watch.output.contains("values nested more than 32 deep"))
        // Bins keep closing on this machine's clock, not in 2100 or at 1e19.
        let signals = try SecurityTests.get("/api/v1/signals?target=north-korea", port: port).body
        let object = try JSONSerialization.jsonObject(with: Data(signals.utf8)) as? [String: Any]
        let bins = (object?["signals"] as? [[String: Any]]) ?? []
        #expect(bins.count >= 3, "\(signals.prefix(300))")
        #expect(
            bins.allSatisfy {
                ($0["start"] as? String ?? "").hasPrefix("20") && !($0["start"] as? String ?? "").hasPrefix("2100")
            })
        let metrics = try SecurityTests.get("/metrics", port: port).body
        #expect(metrics.contains("vigil_ris_skipped_total 4"), "\(metrics)")
        let stopped = Date()
        #expect(watch.stop() == 0)
        #expect(Date().timeIntervalSince(stopped) < 10)
    }
}
