import Foundation
import Hummingbird
import Logging
import VigilStore

/// Vigil's HTTP server: the dashboard, the JSON API, the change stream and the metrics over a store.
public struct VigilHTTPServer: Sendable {
    /// Where to listen.
    public var host: String
    public var port: Int
    /// The store served.
    public let store: VigilStore
    /// The bearer token that allows writing annotations; nil: read-only.
    public var apiToken: String?

    /// A server for `store` on `host:port`.
    public init(store: VigilStore, host: String = "127.0.0.1", port: Int = 8080, apiToken: String? = nil) {
        self.store = store
        self.host = host
        self.port = port
        self.apiToken = apiToken
    }

    /// The routes, for the application and for tests.
    public func router(now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) -> Router<
        BasicRequestContext
    > {
        let router = Router()
        APIRoutes(store: store, apiToken: apiToken, now: now).add(to: router)
        DashboardRoutes(store: store, now: now).add(to: router)
        return router
    }

    /// The Hummingbird application; `onRunning` gets the port bound (port 0 picks a free one).
    public func application(logger: Logger, onRunning: @escaping @Sendable (Int) -> Void = { _ in })
        -> some ApplicationProtocol
    {
        Application(
            router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "vigil"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }
}
