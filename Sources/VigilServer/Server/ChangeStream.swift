import Foundation
import Hummingbird
import ServiceLifecycle
import Vigil
import VigilStore

/// Server-sent events that tell open pages the store changed (a new bin, an event opened, updated or
/// closed, a feed gap, a note), so they refresh without a reload.
///
/// The store is polled, not the monitor: `vigil serve` in another process sees `vigil watch`'s writes.
struct ChangeStream: Sendable {
    /// The store watched.
    let store: VigilStore
    /// The streams open, against their cap.
    let slots: StreamSlots
    /// How often the store is checked, and how often a comment keeps proxies from closing the stream.
    var poll: Duration = .seconds(1)
    var keepAlive: Duration = .seconds(15)
    /// A stream ends after this long; the browser reconnects by itself (bounds a forgotten tab's cost).
    var lifetime: Duration = .seconds(600)

    /// The `text/event-stream` response; a 503 (with `Retry-After`) when the cap on open streams is reached.
    func response() throws -> Response {
        guard slots.take() else {
            var headers = HTTPFields()
            headers[.retryAfter] = "30"
            throw HTTPError(
                .serviceUnavailable, headers: headers,
                message: "\(slots.limit) change streams are open already; try again later")
        }
        let slots = self.slots
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let store = self.store
        let poll = self.poll
        let keepAlive = self.keepAlive
        let lifetime = self.lifetime
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                defer { slots.release() }
                let clock = ContinuousClock()
                let started = clock.now
                var lastSent = started
                var version = (try? await storeRead { try store.version() }) ?? ""
                try await writer.write(ByteBuffer(string: "retry: 3000\nevent: hello\ndata: \(Self.data(version))\n\n"))
                while !Task.isCancelled && !Task.isShuttingDownGracefully && clock.now - started < lifetime {
                    try await Task.sleep(for: poll)
                    let now = (try? await storeRead { try store.version() }) ?? version
                    if now != version {
                        version = now
                        try await writer.write(ByteBuffer(string: "event: change\ndata: \(Self.data(now))\n\n"))
                        lastSent = clock.now
                    } else if clock.now - lastSent >= keepAlive {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastSent = clock.now
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// An event's `data`: one JSON object on one line (`{"version":"..."}`), escaped by the one JSON
    /// writer, whatever the store's version text holds.
    static func data(_ version: String) -> String {
        var o = JSONObject()
        o.add("version", version)
        return o.closed
    }
}
