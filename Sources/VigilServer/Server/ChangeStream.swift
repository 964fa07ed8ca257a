import Foundation
import Hummingbird
import ServiceLifecycle
import Vigil
import VigilClock
import VigilStore

/// Server-sent events that tell open pages the store changed (a new bin, an event opened, updated or
/// closed, a feed gap, a note), so they refresh without a reload.
///
/// The store is polled, not the monitor: `vigil serve` in another process sees `vigil watch`'s writes.
struct ChangeStream: Sendable {
    /// The store watched.
    let store: History
    /// The streams open, against their cap.
    let slots: StreamSlots
    /// How often the store is checked, and how often a comment keeps proxies from closing the stream. The
    /// comment is also how a stream learns that its browser went away (a write fails), which gives its slot
    /// back: within about two keep-alives.
    var poll: Duration = .seconds(1)
    var keepAlive: Duration = .seconds(5)
    /// A stream ends after this long; the browser reconnects by itself (bounds a forgotten tab's cost).
    var lifetime: Duration = .seconds(600)
    /// The clock the polls, keep-alives and lifetime run on (the server's).
    var clock: any EpochClock = SystemClock()

    /// The `text/event-stream` response. When the cap on open streams is reached, the stream says `busy`
    /// and ends, and the browser comes back after 30 s. The slot is taken and given back inside the body,
    /// so a body that never runs (a HEAD request, a client gone before the head was written) holds none.
    func response() throws -> Response {
        let slots = self.slots
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let store = self.store
        let poll = self.poll
        let keepAlive = self.keepAlive
        let lifetime = self.lifetime
        let clock = self.clock
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                guard slots.take() else {
                    try await writer.write(ByteBuffer(string: Self.busy(limit: slots.limit)))
                    try await writer.finish(nil)
                    return
                }
                defer { slots.release() }
                let started = clock.now
                var lastSent = started
                var version = (try? await storeRead { try store.version() }) ?? ""
                try await writer.write(ByteBuffer(string: "retry: 3000\nevent: hello\ndata: \(Self.data(version))\n\n"))
                while !Task.isCancelled && !Task.isShuttingDownGracefully && started.duration(to: clock.now) < lifetime
                {
                    try await clock.sleep(for: poll)
                    let now = (try? await storeRead { try store.version() }) ?? version
                    if now != version {
                        version = now
                        try await writer.write(ByteBuffer(string: "event: change\ndata: \(Self.data(now))\n\n"))
                        lastSent = clock.now
                    } else if lastSent.duration(to: clock.now) >= keepAlive {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastSent = clock.now
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// What a stream beyond the cap says before it ends: come back in 30 s.
    static func busy(limit: Int) -> String {
        var o = JSONObject()
        o.add("message", "\(limit) change streams are open already; this page will try again in 30 s")
        return "retry: 30000\nevent: busy\ndata: \(o.closed)\n\n"
    }

    /// An event's `data`: one JSON object on one line (`{"version":"..."}`), escaped by the one JSON
    /// writer, whatever the store's version text holds.
    static func data(_ version: String) -> String {
        var o = JSONObject()
        o.add("version", version)
        return o.closed
    }
}
