import BGP
import MRT
import NIOCore
import NIOPosix

/// Receives what BMP routers send, one call at a time per connection, on the connection's task.
public protocol BMPSink: Sendable {
    /// A router connected (`router` is "bmp:ADDRESS").
    func routerConnected(_ router: String)
    /// The route elements and session changes of one message. The elements borrow the message's bytes:
    /// use them before returning.
    func elements(_ elements: [MRTElement], router: String)
    /// Bytes that were not BMP, or a message that could not be decoded; reading goes on.
    func problem(_ error: BMPDecodingError, router: String)
    /// The router's connection ended; `diagnostics` counts what it sent and what was skipped.
    func routerDisconnected(_ router: String, diagnostics: BMPDiagnostics, truncated: BMPDecodingError?)
}

/// A BMP station: listens on a TCP port, accepts any number of routers at once, frames their streams
/// (messages split across TCP segments, garbage skipped and reported) and hands route elements to a sink.
public struct BMPListener: Sendable {
    /// Address and port to listen on (port 0 picks a free one).
    public var host: String
    public var port: Int
    /// Which RIB views become routes.
    public var views: Set<BMPRouteDecoder.View>

    /// A listener.
    public init(
        host: String = "127.0.0.1", port: Int = 11019, views: Set<BMPRouteDecoder.View> = [.prePolicy, .locRIB]
    ) {
        self.host = host
        self.port = port
        self.views = views
    }

    /// Listens until the task is cancelled. `bound` receives the port actually bound.
    public func run(sink: any BMPSink, bound: (@Sendable (Int) -> Void)? = nil) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, Never>(wrappingChannelSynchronously: channel)
                }
            }
        bound?(server.channel.localAddress?.port ?? port)
        let views = self.views
        try await withTaskCancellationHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask {
                            await Self.serve(connection, views: views, sink: sink)
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
        _ connection: NIOAsyncChannel<ByteBuffer, Never>, views: Set<BMPRouteDecoder.View>, sink: any BMPSink
    )
        async
    {
        let remote = connection.channel.remoteAddress?.ipAddress ?? "unknown"
        let router = "bmp:\(remote)"
        sink.routerConnected(router)
        var framer = BMPStreamDecoder()
        var routes = BMPRouteDecoder(views: views)
        var elements: [MRTElement] = []
        do {
            try await connection.executeThenClose { inbound, _ in
                for try await buffer in inbound {
                    buffer.withUnsafeReadableBytes { framer.append($0) }
                    framer.decode { frame in
                        elements.removeAll(keepingCapacity: true)
                        let now = Double(DispatchWallTime.now())
                        let outcome = routes.elements(of: frame, now: now) { elements.append($0) }
                        if case .damaged(let why) = outcome {
                            sink.problem(BMPDecodingError(offset: frame.offset, reason: why), router: router)
                        }
                        if !elements.isEmpty { sink.elements(elements, router: router) }
                    } problem: {
                        sink.problem($0, router: router)
                    }
                }
            }
        } catch {
            sink.problem(BMPDecodingError(offset: 0, reason: "connection failed: \(error)"), router: router)
        }
        let truncated = framer.finish()
        sink.routerDisconnected(router, diagnostics: framer.diagnostics, truncated: truncated)
    }
}

extension Double {
    /// Seconds since the epoch from NIO's wall clock (no Foundation in this module).
    init(_ t: DispatchWallTime) { self = Double(t.nanoseconds) / 1e9 }
}

/// The wall clock, in nanoseconds since the epoch.
struct DispatchWallTime {
    let nanoseconds: UInt64

    static func now() -> DispatchWallTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return DispatchWallTime(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }
}
