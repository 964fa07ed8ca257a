import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// What the server accepts from outside, and how much of it: the limits every request and connection
/// meets before a handler runs.
public struct ServerLimits: Sendable {
    /// Host names (without port) that requests may name in their `Host` header, lower case; `*` allows
    /// any. A page on another site can make a browser send requests to 127.0.0.1 under its own name (DNS
    /// rebinding): the Host header is then that name, and the request is refused.
    public var allowedHosts: Set<String>
    /// A connection that has not sent a whole request head this long after it opened or after its last
    /// answer is closed. This is both the idle timeout and the header timeout: a client that drips a
    /// header byte by byte (slowloris) never completes a head.
    public var idleTimeout: Duration = .seconds(15)
    /// Connections open at once; a connection beyond it closes the one idle the longest (or itself, when
    /// every other one is busy): see `ConnectionTable`.
    public var maxConnections = 256
    /// Change streams (`/api/v1/stream`) open at once; one more says `busy` and ends (the browser retries).
    public var maxStreams = 64

    /// The names a browser on this machine uses for a server on `host`: localhost and the loopback
    /// addresses, and `host` itself when it is a specific address or name.
    public static func defaultHosts(listeningOn host: String) -> Set<String> {
        var names: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]
        let h = host.lowercased()
        if !["0.0.0.0", "::", "[::]", ""].contains(h) {
            names.insert(h)
            if h.contains(":") && !h.hasPrefix("[") { names.insert("[\(h)]") }
        }
        return names
    }

    /// Limits for a server on `host`, with `extraHosts` allowed besides the default names.
    public init(listeningOn host: String = "127.0.0.1", extraHosts: [String] = []) {
        allowedHosts = Self.defaultHosts(listeningOn: host).union(extraHosts.map { $0.lowercased() })
    }

    /// The host part of a `Host` header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower case.
    static func hostName(_ authority: String) -> String {
        let a = authority.lowercased()
        if a.hasPrefix("[") {
            guard let close = a.firstIndex(of: "]") else { return a }
            return String(a[...close])
        }
        if let colon = a.lastIndex(of: ":"), a.firstIndex(of: ":") == colon { return String(a[..<colon]) }
        return a
    }

    /// True when a request naming `authority` may be answered.
    public func allows(authority: String?) -> Bool {
        // HTTP/1.0 clients may send no Host; browsers always send one, so rebinding is still refused.
        guard let authority else { return true }
        return allowedHosts.contains("*") || allowedHosts.contains(Self.hostName(authority))
    }
}

/// Checks every request before routing: its method (405 with `Allow` for anything but GET, HEAD and the
/// one POST), its `Host` (421 outside the allowed names), and turns any error that is not an `HTTPError`
/// into a plain 500 whose body says nothing of the store's path or SQL (the log has the details).
struct RequestGuard<Context: RequestContext>: RouterMiddleware {
    let limits: ServerLimits
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let writable = request.uri.path.hasSuffix("/annotations")
        switch request.method {
        case .get, .head:
            break
        case .post where writable:
            break
        default:
            // Allow lists exactly what the resource supports (RFC 9110 15.5.6).
            var headers = HTTPFields()
            headers[.allow] = writable ? "GET, HEAD, POST" : "GET, HEAD"
            let method = String(request.method.rawValue.prefix(32))
            throw HTTPError(
                .methodNotAllowed, headers: headers,
                message: "method \(method) is not served here: \(writable ? "GET, HEAD or POST" : "GET or HEAD")")
        }
        guard limits.allows(authority: request.head.authority) else {
            let name = String(ServerLimits.hostName(request.head.authority ?? "").prefix(255))
            throw HTTPError(
                .misdirectedRequest,
                message:
                    "this server does not answer to the name \(name); its operator can allow it with --allowed-host")
        }
        do {
            let response = try await next(request, context)
            guard request.method == .head else { return response }
            // HEAD is GET without the body (RFC 9110 9.3.2); `Router.read` routes it to the GET handler.
            return Response(status: response.status, headers: response.headers, body: ResponseBody())
        } catch let error as HTTPError {
            throw error
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            logger.error("\(request.method) \(request.uri.path): \(error)")
            throw HTTPError(.internalServerError, message: "internal error; the server's log has the details")
        }
    }
}

/// Counts open change streams against `ServerLimits.maxStreams`.
final class StreamSlots: Sendable {
    let limit: Int
    private let open = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a slot; false when all are taken.
    func take() -> Bool {
        open.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
    }

    /// Gives a slot back.
    func release() { open.withLock { $0 -= 1 } }

    /// Streams open now.
    var count: Int { open.withLock { $0 } }
}

/// The HTTP connections open now, and which of them are idle (no request in flight), so that a crowd of
/// idle sockets can never keep a request out: when a connection beyond `limit` opens, the connection
/// idle the longest is closed to make room (as nginx reuses its keep-alive connections); when every
/// other one is busy, the newcomer is closed. File descriptors stay bounded by `limit` + 1.
final class ConnectionTable: Sendable {
    struct Entry {
        let channel: any Channel
        /// When it became idle (a counter, not a clock: only the order matters); nil while busy.
        var idleSince: UInt64?
    }

    let limit: Int
    private let state = Mutex<(entries: [ObjectIdentifier: Entry], tick: UInt64, evicted: Int)>(([:], 0, 0))

    init(limit: Int) { self.limit = limit }

    /// A connection opened; closes what must go to keep `limit`.
    func opened(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let victims: [any Channel] = state.withLock { s in
            guard s.entries[id] == nil else { return [] }
            s.tick += 1
            s.entries[id] = Entry(channel: channel, idleSince: s.tick)
            var out: [any Channel] = []
            while s.entries.count > limit {
                let oldest = s.entries.filter { $0.key != id && $0.value.idleSince != nil }
                    .min { ($0.value.idleSince ?? 0) < ($1.value.idleSince ?? 0) }
                guard let (key, entry) = oldest else { break }
                s.entries[key] = nil
                out.append(entry.channel)
            }
            if s.entries.count > limit {
                s.entries[id] = nil
                out.append(channel)
            }
            s.evicted += out.count
            return out
        }
        for c in victims { c.close(promise: nil) }
    }

    /// A request head arrived.
    func busy(_ channel: any Channel) {
        state.withLock { $0.entries[ObjectIdentifier(channel)]?.idleSince = nil }
    }

    /// An answer ended.
    func idle(_ channel: any Channel) {
        state.withLock { s in
            s.tick += 1
            s.entries[ObjectIdentifier(channel)]?.idleSince = s.tick
        }
    }

    /// The connection closed.
    func closed(_ channel: any Channel) {
        state.withLock { _ = $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Connections open, and connections closed to make room, so far.
    var counts: (open: Int, evicted: Int) { state.withLock { ($0.entries.count, $0.evicted) } }
}

/// Tells the `ConnectionTable` when its connection opens, starts a request, ends an answer and closes.
final class ConnectionTracker: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let table: ConnectionTable

    init(table: ConnectionTable) { self.table = table }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { table.opened(context.channel) }
    }

    func channelActive(context: ChannelHandlerContext) {
        table.opened(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        table.closed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { table.busy(context.channel) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { table.idle(context.channel) }
        context.write(data, promise: promise)
    }
}

extension Router {
    /// Routes GET and HEAD on `path` to `handler` (HEAD answers carry the headers only: `RequestGuard`).
    @discardableResult func read(
        _ path: RouterPath, use handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator
    ) -> Self {
        on(path, method: .head, use: handler)
        return on(path, method: .get, use: handler)
    }
}
