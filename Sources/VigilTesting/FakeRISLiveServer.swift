import BGP
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import Synchronization
import VigilClock

/// One frame a fake RIS Live server can send, with what its subscriptions filter on.
public struct RISTestFrame: Sendable {
    /// The frame's text.
    public var text: String
    /// Prefixes announced or withdrawn, and the path's last AS.
    public var prefixes: [IPPrefix]
    public var origin: UInt32?
    /// A RIS_PEER_STATE message.
    public var isPeerState: Bool

    /// A frame.
    public init(text: String, prefixes: [IPPrefix] = [], origin: UInt32? = nil, isPeerState: Bool = false) {
        self.text = text
        self.prefixes = prefixes
        self.origin = origin
        self.isPeerState = isPeerState
    }
}

/// A real websocket server on loopback that speaks the RIS Live protocol: it records subscriptions,
/// answers `ping` with `pong`, sends the frames that match what a client subscribed to (prefix with more-
/// and less-specifics, `ASN$` paths, RIS_PEER_STATE), and misbehaves on request: drops connections,
/// stalls, floods, and sends malformed JSON.
public final class FakeRISLiveServer: Sendable {
    /// What one connection does after the client subscribed.
    public enum Script: Sendable {
        /// Send the next `count` frames of the stream (nil: all that are left), then stay open.
        case send(Int?)
        /// Send the next `count` frames, then close the connection.
        case sendThenClose(Int)
        /// Send the next `count` frames, then go silent (no frames, no pongs) and keep the connection open.
        case sendThenStall(Int)
        /// Send these texts as they are (malformed frames, errors), then continue with `then`.
        indirect case raw([String], then: Script)
    }

    private struct State {
        var position = 0
        var connections = 0
        var subscriptions: [[String]] = []
        var framesSent = 0
        var pings = 0
    }

    /// The stream served, shared by all connections: each frame goes out once, in order (a reconnecting
    /// client continues where the last connection stopped, after `overlap` frames sent again).
    public let frames: [RISTestFrame]
    /// Frames sent again at the start of each later connection (RIS Live delivers at least once here).
    public let overlap: Int
    private let scripts: @Sendable (Int) -> Script
    private let state = Mutex(State())
    private let portBox = Mutex(0)
    /// Pause between frames, for streams that should take their time.
    public let pacing: Duration
    /// True while the stream is held (`hold()`): no frame goes out until `release()`.
    private let held = Mutex(false)
    /// The stream holds by itself once this many frames have gone (`hold(atPosition:)`), until `release()`.
    private let holdPosition = Mutex<Int?>(nil)

    /// A server for `frames`; `scripts(n)` says what connection n (from 1) does.
    public init(
        frames: [RISTestFrame], overlap: Int = 0, pacing: Duration = .zero,
        scripts: @escaping @Sendable (Int) -> Script = { _ in .send(nil) }
    ) {
        self.frames = frames
        self.overlap = overlap
        self.pacing = pacing
        self.scripts = scripts
    }

    /// The port once running.
    public var port: Int { portBox.withLock { $0 } }
    /// The websocket URL once running.
    public var url: String { "ws://127.0.0.1:\(port)/v1/ws/?client=vigil-test" }
    /// Connections accepted so far.
    public var connections: Int { state.withLock { $0.connections } }
    /// The subscription frames received, per connection.
    public var subscriptions: [[String]] { state.withLock { $0.subscriptions } }
    /// Frames of the stream sent so far (all connections).
    public var framesSent: Int { state.withLock { $0.framesSent } }
    /// Stream frames not sent yet.
    public var remaining: Int { state.withLock { frames.count - $0.position } }
    /// Pings answered.
    public var pings: Int { state.withLock { $0.pings } }

    /// Holds the stream: connections are served but no frame goes out until `release()` (a test stages a
    /// fault on the client's side first).
    public func hold() { held.withLock { $0 = true } }

    /// Holds the stream once `position` frames have gone, until `release()`: a test that must act while part
    /// of the stream is still to come does not depend on how fast a loaded machine reads it.
    public func hold(atPosition position: Int) { holdPosition.withLock { $0 = position } }

    /// Lets the stream go on.
    public func release() {
        held.withLock { $0 = false }
        holdPosition.withLock { $0 = nil }
    }

    /// Runs until the task is cancelled; `ready` is called with the port once listening.
    public func run(ready: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var logger = Logger(label: "fake-ris-live")
        logger.logLevel = .critical
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade { _, _, _ in
                .upgrade([:]) { inbound, outbound, _ in try await self.serve(inbound, outbound) }
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                self.portBox.withLock { $0 = port }
                ready(port)
            },
            logger: logger)
        try await app.run()
    }

    private func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        let number = state.withLock { s in
            s.connections += 1
            s.subscriptions.append([])
            if s.connections > 1 { s.position = max(0, s.position - overlap) }
            return s.connections
        }
        let subscribed = Locked<[String]>([])
        let stalled = Locked(false)
        let firstSubscription = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    if text.contains("\"ris_subscribe\"") {
                        subscribed.withLock { $0.append(text) }
                        self.state.withLock { $0.subscriptions[number - 1].append(text) }
                        firstSubscription.continuation.yield()
                    } else if text.contains("\"ping\""), !stalled.withLock({ $0 }) {
                        self.state.withLock { $0.pings += 1 }
                        try await outbound.write(.text(#"{"type":"pong","data":null}"#))
                    }
                }
            }
            group.addTask {
                // Wait for the client's subscriptions to arrive (they come in one burst).
                for await _ in firstSubscription.stream { break }
                try await Task.sleep(for: .milliseconds(50))
                let filter = SubscriptionFilter(subscribed.withLock { $0 })
                var script = self.scripts(number)
                while case .raw(let texts, let then) = script {
                    for t in texts { try await outbound.write(.text(t)) }
                    script = then
                }
                switch script {
                case .send(let count):
                    try await self.sendFrames(count, filter, outbound)
                    try await Task.sleep(for: .seconds(3600))
                case .sendThenClose(let count):
                    try await self.sendFrames(count, filter, outbound)
                    try await outbound.close(.normalClosure, reason: "test: dropped")
                case .sendThenStall(let count):
                    try await self.sendFrames(count, filter, outbound)
                    stalled.withLock { $0 = true }
                    try await Task.sleep(for: .seconds(3600))
                case .raw:
                    break
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func sendFrames(_ count: Int?, _ filter: SubscriptionFilter, _ outbound: WebSocketOutboundWriter)
        async throws
    {
        var sent = 0
        while count.map({ sent < $0 }) ?? true {
            while held.withLock({ $0 })
                || holdPosition.withLock({ $0 }).map({ at in state.withLock { $0.position } >= at }) == true
            {
                try await Task.sleep(for: .milliseconds(20))
            }
            let next: RISTestFrame? = state.withLock { s in
                guard s.position < frames.count else { return nil }
                defer { s.position += 1 }
                return frames[s.position]
            }
            guard let frame = next else { return }
            sent += 1
            guard filter.matches(frame) else { continue }
            try await outbound.write(.text(frame.text))
            state.withLock { $0.framesSent += 1 }
            if pacing > .zero { try await Task.sleep(for: pacing) }
        }
    }
}

/// What a client subscribed to, as RIS Live matches it.
struct SubscriptionFilter {
    var prefixes: [(IPPrefix, less: Bool)] = []
    var origins: Set<UInt32> = []
    var peerState = false
    var everything = false

    init(_ frames: [String]) {
        for text in frames {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                let data = object["data"] as? [String: Any]
            else { continue }
            if let p = (data["prefix"] as? String).flatMap(IPPrefix.init) {
                prefixes.append((p, data["lessSpecific"] as? Bool ?? false))
            } else if let path = data["path"] as? String, path.hasSuffix("$"), let asn = UInt32(path.dropLast()) {
                origins.insert(asn)
            } else if data["type"] as? String == "RIS_PEER_STATE" {
                peerState = true
            } else if data.keys.allSatisfy({ $0 == "socketOptions" || $0 == "type" }) {
                everything = true
            }
        }
    }

    func matches(_ f: RISTestFrame) -> Bool {
        if everything { return true }
        if f.isPeerState { return peerState }
        if let o = f.origin, origins.contains(o) { return true }
        return f.prefixes.contains { p in prefixes.contains { s in s.0.contains(p) || (s.less && p.contains(s.0)) } }
    }
}
