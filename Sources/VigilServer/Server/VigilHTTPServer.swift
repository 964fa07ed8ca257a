import Foundation
import Hummingbird
import Logging
import VigilClock
import VigilStore

/// Vigil's HTTP server: the dashboard, the JSON API, the change stream and the metrics over a store.
public struct VigilHTTPServer: Sendable {
    /// The address to show and to link to for a server on `host` and `port` ("http://127.0.0.1:8080"; a
    /// wildcard host shows as loopback, an IPv6 one in brackets).
    public static func displayURL(host: String, port: Int) -> String {
        let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "http://" + (shown.contains(":") ? "[\(shown)]" : shown) + ":\(port)"
    }

    /// Where to listen.
    public var host: String
    public var port: Int
    /// The store served.
    public let store: History
    /// The bearer token that allows writing annotations; nil: read-only.
    public var apiToken: String?
    /// Allowed host names, timeouts and caps (docs/security.md).
    public var limits: ServerLimits
    /// Whether the watch serving the store can write to it (always fine for `vigil serve`).
    public var health: @Sendable () -> StoreHealth
    /// The clock of pages' "now" and of the change streams' polls, keep-alives and lifetime (the watch's).
    public var clock: any EpochClock = SystemClock()

    /// A server for `store` on `host:port`.
    public init(
        store: History, host: String = "127.0.0.1", port: Int = 8080, apiToken: String? = nil,
        limits: ServerLimits? = nil, health: @escaping @Sendable () -> StoreHealth = { StoreHealth() }
    ) {
        self.store = store
        self.health = health
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.limits = limits ?? ServerLimits(listeningOn: host)
    }

    /// The routes, for the application and for tests. `now` fixes the pages' time (tests); by default it
    /// is the clock's.
    public func router(
        now: (@Sendable () -> Double)? = nil, logger: Logger = Logger(label: "vigil.http")
    ) -> Router<BasicRequestContext> {
        let clock = self.clock
        let now = now ?? { clock.seconds }
        let router = Router()
        router.add(middleware: RequestGuard(limits: limits, logger: logger))
        let streams = StreamSlots(limit: limits.maxStreams)
        APIRoutes(store: store, apiToken: apiToken, now: now, streams: streams, health: health, clock: clock).add(
            to: router)
        DashboardRoutes(store: store, now: now).add(to: router)
        return router
    }

    /// The Hummingbird application; `onRunning` gets the port bound (port 0 picks a free one).
    public func application(logger: Logger, onRunning: @escaping @Sendable (Int) -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let nanos =
            limits.idleTimeout.components.seconds * 1_000_000_000 + limits.idleTimeout.components.attoseconds
            / 1_000_000_000
        let table = ConnectionTable(limit: limits.maxConnections)
        return Application(
            router: router(logger: logger),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [ConnectionTracker(table: table)], idleTimeout: .nanoseconds(nanos))),
            configuration: .init(address: .hostname(host, port: port), serverName: "vigil"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }
}
