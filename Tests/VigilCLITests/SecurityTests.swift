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
            let r = try LoopbackSocket.http(
                "\(method) /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                port: port)
            #expect(r.status == 405, "\(method): \(r.status)")
            #expect(r.head.lowercased().contains("allow: get, head, post"), "\(method): \(r.head)")
        }
        let post = try LoopbackSocket.http(
            "POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            port: port)
        #expect(post.status == 405)
        #expect(
            try LoopbackSocket.http(
                "HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port
            ).status == 200)
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
        let store = ServeCommandTests.newStorePath()
        // The store as vigil watch leaves it with two alerts queued for a Slack hook and one for a JSON hook.
        let serve = try ServeCommandTests.start(["serve", "--store", store, "--port", "0"])
        _ = try await serve.port()
        _ = serve.stop()
        _ = try Tools.sqlite(
            store,
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
        let r = try LoopbackSocket.http(
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

    // MARK: Small findings

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
        let store = ServeCommandTests.newStorePath()
        let serve = try ServeCommandTests.start(["serve", "--store", store, "--port", "0"])
        _ = try await serve.port()
        _ = serve.stop()
        _ = try Tools.sqlite(
            store,
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
        let stored = try Tools.sqlite(store, "SELECT text FROM annotations;")
        #expect(stored.trimmingCharacters(in: .whitespacesAndNewlines) == "line one\nline two")
    }

    @Test("a 500 tells nothing of the store's path or SQL; the log has the details")
    func scrubbedErrors() async throws {
        let store = ServeCommandTests.newStorePath()
        let serve = try ServeCommandTests.start(["serve", "--store", store, "--port", "0"])
        let port = try await serve.port()
        defer { _ = serve.stop() }
        // Break the store under the running server.
        _ = try Tools.sqlite(store, "DROP TABLE events;")
        let r = try Self.get("/api/v1/events", port: port)
        #expect(r.status == 500)
        #expect(
            !r.body.contains(store) && !r.body.contains("SELECT") && !r.body.lowercased().contains("sql"), "\(r.body)")
        #expect(r.body.contains("the server's log"))
        #expect(try Self.get("/healthz", port: port).status == 200)
    }
}
