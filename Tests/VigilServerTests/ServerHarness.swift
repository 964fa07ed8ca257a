import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import VigilClock
import VigilStore

@testable import VigilServer

/// Runs tests against Vigil's real router on a live loopback server.
enum ServerHarness {
    /// A new, empty store in a temporary folder.
    static func emptyStore() throws -> History {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try History(path: dir.appendingPathComponent("history.sqlite").path)
    }

    /// Serves `store` (dashboard and API, as `vigil serve` does) on a free loopback port while `body` runs.
    static func withServer(
        _ store: History, token: String? = nil, limits: ServerLimits? = nil, clock: any EpochClock = SystemClock(),
        now: @escaping @Sendable () -> Double,
        _ body: @escaping @Sendable (any TestClientProtocol, Int) async throws -> Void
    ) async throws {
        var server = VigilHTTPServer(store: store, apiToken: token, limits: limits)
        server.clock = clock
        let router = server.router(now: now)
        var logger = Logger(label: "server-test")
        logger.logLevel = .critical
        let port = Locked(0)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger)
        try await app.test(.live) { client in try await body(client, port.withLock { $0 }) }
    }

    static func object(_ body: ByteBuffer) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw ServerTestFailure("not a JSON object: \(String(buffer: body))")
        }
        return o
    }
}

struct ServerTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
