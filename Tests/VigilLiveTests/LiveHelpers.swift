import BGP
import Foundation
import Logging
import RISLive
import Testing
import Vigil
import VigilClock
import VigilStore
import VigilTesting

@testable import VigilLive

/// Shared pieces of the live tests: temporary stores, a running fake RIS Live server, and waiting.
enum Live {
    static func temporaryStore() throws -> History {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try History(path: dir.appendingPathComponent("history.sqlite").path)
    }

    /// Starts `server` in a task and returns once it listens.
    static func start(_ server: FakeRISLiveServer) async throws -> Task<Void, any Error> {
        let task = Task { try await server.run() }
        for _ in 0..<500 where server.port == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try #require(server.port != 0, "the fake RIS Live server did not start")
        return task
    }

    /// Waits until `done` holds, up to `seconds`, checking every 20 ms (or as told).
    static func wait(seconds: Double, every: Duration = .milliseconds(20), _ done: () -> Bool) async throws -> Bool {
        try await Waiting.until(seconds: seconds, every: every, done)
    }

    static var logger: Logger {
        var l = Logger(label: "vigil-test")
        l.logLevel = .critical
        return l
    }

    /// A client configuration for a loopback server, with short timers.
    static func configuration(_ url: String, subscriptions: [RISSubscription]) -> RISLiveConfiguration {
        var c = RISLiveConfiguration()
        c.url = url
        c.subscriptions = subscriptions
        c.pingInterval = 0.3
        c.stallTimeout = 1.2
        c.backoffInitial = 0.05
        c.backoffMaximum = 0.2
        c.canaryPrefix = nil
        return c
    }
}

/// Events a client reported, collected across tasks.
typealias Collected = Locked<[RISLiveEvent]>

extension Locked where Value == [RISLiveEvent] {
    /// The messages among them, in order.
    var messages: [RISMessage] {
        value.compactMap {
            if case .message(let m) = $0 { return m }
            return nil
        }
    }
}
