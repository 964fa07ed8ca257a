import BGP
import NIOCore
import NIOPosix
import Synchronization

/// One router's BMP connection.
public struct BMPRouter: Hashable, Sendable, CustomStringConvertible {
    /// "bmp:ADDRESS": the name its peers are filed under (it stays the same when the router reconnects).
    public var name: String
    /// A number for this connection, unique while the listener runs.
    public var connection: Int

    public var description: String { name }
}

/// Receives what BMP routers send, one call at a time per connection, on the connection's task.
public protocol BMPSink: Sendable {
    /// A router connected.
    func routerConnected(_ router: BMPRouter)
    /// The route elements and session changes of one message. The elements borrow the message's bytes:
    /// use them before returning.
    func elements(_ elements: [RouteElement], router: BMPRouter)
    /// Bytes that were not BMP, or a message that could not be decoded; reading goes on.
    func problem(_ error: BMPDecodingError, router: BMPRouter)
    /// The router's connection ended; `diagnostics` counts what it sent and what was skipped.
    func routerDisconnected(_ router: BMPRouter, diagnostics: BMPDiagnostics, truncated: BMPDecodingError?)
    /// A connection was closed at accept, unread: `address` is not allowed, or `maxRouters` are connected.
    func refused(address: String, reason: String)
    /// The router's stream has been read and decoded up to `total` bytes (after each read from the
    /// socket, once the messages it completed have reached the sink).
    func consumed(_ router: BMPRouter, total: UInt64)
}

extension BMPSink {
    public func refused(address: String, reason: String) {}
    public func consumed(_ router: BMPRouter, total: UInt64) {}
}

/// A BMP station: listens on a TCP port, accepts any number of routers at once, frames their streams
/// (messages split across TCP segments, garbage skipped and reported) and hands route elements to a sink.
public struct BMPListener: Sendable {
    /// Address and port to listen on (port 0 picks a free one).
    public var host: String
    public var port: Int
    /// Which RIB views become routes.
    public var views: Set<BMPRouteDecoder.View>
    /// The clock that stamps arriving messages (seconds since the epoch).
    public var clock: @Sendable () -> Double
    /// The addresses routers may connect from (BMP has no authentication: RFC 7854 leaves it to the
    /// station to restrict who connects). Default: the loopback addresses.
    public var allowed: [IPPrefix] = BMPListener.loopback
    /// Routers connected at once; more are closed at accept. With `BMPCommonHeader.maximumLength` this
    /// bounds the memory all routers together can hold in unfinished messages (64 × 256 KiB = 16 MiB).
    public var maxRouters = 64

    /// 127.0.0.0/8 and ::1/128.
    public static let loopback: [IPPrefix] = [IPPrefix("127.0.0.0/8"), IPPrefix("::1/128")].compactMap { $0 }

    /// A listener.
    public init(
        host: String = "127.0.0.1", port: Int = 11019, views: Set<BMPRouteDecoder.View> = [.prePolicy, .locRIB],
        clock: @escaping @Sendable () -> Double = BMPListener.wallClock
    ) {
        self.host = host
        self.port = port
        self.views = views
        self.clock = clock
    }

    /// True when a router at `address` may connect.
    public func allows(_ address: IPAddress) -> Bool {
        // An IPv4 router seen through an IPv6 socket arrives as ::ffff:a.b.c.d: judge its IPv4 address.
        let plain = address.unmappedIPv4 ?? address
        return allowed.contains { $0.contains(plain) }
    }

    /// True when `host` listens on every address (0.0.0.0, ::): worth a warning, since any machine that
    /// can reach the port may then try to connect, and only `allowed` keeps it out.
    public static func isWildcard(_ host: String) -> Bool { ["0.0.0.0", "::", "[::]", "*", ""].contains(host) }

    /// Listens until the task is cancelled. `bound` receives the port actually bound.
    public func run(sink: any BMPSink, bound: (@Sendable (Int) -> Void)? = nil) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                // The peer's address is read here, at accept: a router that sends a burst and closes at once
                // has no remote address any more by the time the accept loop looks at its channel.
                let remote = channel.remoteAddress?.ipAddress
                return channel.eventLoop.makeCompletedFuture {
                    (remote, try NIOAsyncChannel<ByteBuffer, Never>(wrappingChannelSynchronously: channel))
                }
            }
        bound?(server.channel.localAddress?.port ?? port)
        let views = self.views
        let clock = self.clock
        let connected = Counter()
        try await withTaskCancellationHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    var number = 0
                    for try await (peer, connection) in inbound {
                        let remote = peer ?? "unknown"
                        guard let address = IPAddress(Substring(remote)), allows(address) else {
                            try? await connection.channel.close()
                            sink.refused(address: remote, reason: "not in the allowed addresses (--bmp-allow)")
                            continue
                        }
                        guard connected.increment(limit: maxRouters) else {
                            try? await connection.channel.close()
                            sink.refused(address: remote, reason: "\(maxRouters) routers are connected already")
                            continue
                        }
                        number += 1
                        let n = number
                        group.addTask {
                            defer { connected.decrement() }
                            await Self.serve(
                                connection, remote: remote, number: n, views: views, clock: clock, sink: sink)
                        }
                    }
                }
            }
        } onCancel: {
            server.channel.close(promise: nil)
        }
    }

    /// Reads one router's stream to its end.
    static func serve(
        _ connection: NIOAsyncChannel<ByteBuffer, Never>, remote: String, number: Int,
        views: Set<BMPRouteDecoder.View>, clock: @escaping @Sendable () -> Double, sink: any BMPSink
    ) async {
        let router = BMPRouter(name: "bmp:\(remote)", connection: number)
        sink.routerConnected(router)
        var framer = BMPStreamDecoder()
        var routes = BMPRouteDecoder(views: views)
        var elements: [RouteElement] = []
        do {
            try await connection.executeThenClose { inbound, _ in
                var total: UInt64 = 0
                for try await buffer in inbound {
                    buffer.withUnsafeReadableBytes { framer.append($0) }
                    total += UInt64(buffer.readableBytes)
                    let now = clock()
                    framer.decode { frame in
                        elements.removeAll(keepingCapacity: true)
                        let outcome = routes.elements(of: frame, now: now) { elements.append($0) }
                        if case .damaged(let why) = outcome {
                            sink.problem(BMPDecodingError(offset: frame.offset, reason: why), router: router)
                        }
                        if !elements.isEmpty { sink.elements(elements, router: router) }
                    } problem: {
                        sink.problem($0, router: router)
                    }
                    sink.consumed(router, total: total)
                }
            }
        } catch {
            sink.problem(BMPDecodingError(offset: 0, reason: "connection failed: \(error)"), router: router)
        }
        let truncated = framer.finish()
        sink.routerDisconnected(router, diagnostics: framer.diagnostics, truncated: truncated)
    }
}

extension BMPListener {
    /// The wall clock, seconds since the epoch (this module does without Foundation).
    @Sendable public static func wallClock() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Routers connected now, against the cap.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// Adds one unless `limit` is reached; false then.
    func increment(limit: Int) -> Bool {
        value.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
    }

    func decrement() { value.withLock { $0 -= 1 } }
}
