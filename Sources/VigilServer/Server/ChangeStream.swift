import Foundation
import Hummingbird
import ServiceLifecycle
import VigilStore

/// Server-sent events that tell open pages the store changed (a new bin, an event opened, updated or
/// closed, a feed gap, a note), so they refresh without a reload.
///
/// The store is polled, not the monitor: `vigil serve` in another process sees `vigil watch`'s writes.
struct ChangeStream: Sendable {
    /// The store watched.
    let store: VigilStore
    /// How often the store is checked, and how often a comment keeps proxies from closing the stream.
    var poll: Duration = .seconds(1)
    var keepAlive: Duration = .seconds(15)
    /// A stream ends after this long; the browser reconnects by itself (bounds a forgotten tab's cost).
    var lifetime: Duration = .seconds(600)

    /// The `text/event-stream` response.
    func response() -> Response {
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
                let clock = ContinuousClock()
                let started = clock.now
                var lastSent = started
                var version = (try? await storeRead { try store.version() }) ?? ""
                try await writer.write(
                    ByteBuffer(string: "retry: 3000\nevent: hello\ndata: {\"version\":\"\(version)\"}\n\n"))
                while !Task.isCancelled && !Task.isShuttingDownGracefully && clock.now - started < lifetime {
                    try await Task.sleep(for: poll)
                    let now = (try? await storeRead { try store.version() }) ?? version
                    if now != version {
                        version = now
                        try await writer.write(ByteBuffer(string: "event: change\ndata: {\"version\":\"\(now)\"}\n\n"))
                        lastSent = clock.now
                    } else if clock.now - lastSent >= keepAlive {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastSent = clock.now
                    }
                }
                try await writer.finish(nil)
            })
    }
}
