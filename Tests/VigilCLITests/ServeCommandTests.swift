import Foundation
import Testing
import VigilTesting

/// `vigil serve` and the server inside `vigil watch`, run as a user runs them: the real binary on a
/// free loopback port, stopped with SIGTERM.
@Suite(.serialized) struct ServeCommandTests {
    /// A running `vigil` and the log file it writes.
    struct Running {
        let process: Process
        let log: String

        /// Waits for the line that names the dashboard's address; returns its port.
        func port(seconds: Double = 60) async throws -> Int {
            let deadline = Date().addingTimeInterval(seconds)
            // The log is read once more after the deadline: a waiter that woke late still sees the line.
            while true {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if let r = text.range(of: #"on http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) {
                    let digits = text[r].dropFirst("on http://127.0.0.1:".count).dropLast()
                    if let port = Int(digits) { return port }
                }
                if !process.isRunning || Date() >= deadline { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw CLITestFailure(
                "no dashboard address in \(log): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }

        /// SIGTERM, then the exit status.
        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
    }

    static func start(_ arguments: [String], executable: String? = nil) throws -> Running {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try executable ?? Tools.vigil())
        p.arguments = arguments
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        return Running(process: p, log: log)
    }

    static func newStorePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vigil-serve-\(UUID().uuidString).sqlite").path
    }

    @Test("vigil serve starts on a store that does not exist yet, answers, and stops cleanly on SIGTERM")
    func serveEmpty() async throws {
        let store = Self.newStorePath()
        let serve = try Self.start(["serve", "--store", store, "--port", "0"])
        let port = try await serve.port()
        #expect(FileManager.default.fileExists(atPath: store))
        #expect(try await LoopbackSocket.httpGet("/healthz", port: port).body == #"{"status":"ok"}"#)
        let overview = try await LoopbackSocket.httpGet("/", port: port)
        #expect(overview.status == 200)
        #expect(overview.body.contains("No targets yet"))
        #expect(try await LoopbackSocket.httpGet("/api/v1/targets", port: port).body == #"{"targets":[]}"#)
        #expect(serve.stop() == 0)
    }

    @Test("a port already in use is a clear error, not a crash")
    func portInUse() async throws {
        let first = try Self.start(["serve", "--store", Self.newStorePath(), "--port", "0"])
        let port = try await first.port()
        defer { _ = first.stop() }
        let second = try await Tools.run(
            try Tools.vigil(), ["serve", "--store", Self.newStorePath(), "--port", "\(port)"])
        #expect(second.status != 0)
        #expect(String(decoding: second.stderr, as: UTF8.self).contains("the port is in use"))
    }

    @Test("a short or missing API token file is refused before serving")
    func badToken() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)").path
        try "short\n".write(toFile: file, atomically: true, encoding: .utf8)
        _ = chmod(file, 0o600)
        for args in [["--api-token-file", file], ["--api-token-file", file + ".missing"]] {
            let r = try Tools.run(try Tools.vigil(), ["serve", "--store", Self.newStorePath(), "--port", "0"] + args)
            #expect(r.status != 0)
            let err = String(decoding: r.stderr, as: UTF8.self)
            #expect(err.contains("shorter than 16 characters") || err.contains("cannot read the API token file"))
        }
    }

    @Test("vigil watch serves the dashboard and the API while it watches")
    func watchServes() async throws {
        let store = Self.newStorePath()
        let watch = try Self.start([
            "watch", "--no-ris-live", "--bmp", "127.0.0.1:0", "--store", store, "--port", "0", "--no-probes",
        ])
        let port = try await watch.port()
        let status = try await LoopbackSocket.httpGet("/api/v1/status", port: port)
        #expect(status.status == 200)
        #expect(status.body.contains(#""target":"north-korea""#))
        let page = try await LoopbackSocket.httpGet("/targets/north-korea", port: port)
        #expect(page.status == 200)
        #expect(page.body.contains("<h1>north-korea</h1>"))
        let metrics = try await LoopbackSocket.httpGet("/metrics", port: port)
        #expect(metrics.body.contains("vigil_target_state{target=\"north-korea\""))
        #expect(watch.stop() == 0, "\(watch.output)")
    }
}

struct CLITestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
