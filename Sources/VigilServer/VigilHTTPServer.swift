import Hummingbird
import Logging
import VigilStore

/// Vigil's HTTP server: the API over a store, on a host and port.
public struct VigilHTTPServer: Sendable {
    /// Where to listen.
    public var host: String
    public var port: Int
    /// The store served.
    public let store: VigilStore

    /// A server for `store` on `host:port`.
    public init(store: VigilStore, host: String = "127.0.0.1", port: Int = 8080) {
        self.store = store
        self.host = host
        self.port = port
    }

    /// The Hummingbird application; `onRunning` gets the port bound (port 0 picks a free one).
    public func application(logger: Logger, onRunning: @escaping @Sendable (Int) -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = Router()
        APIRoutes(store: store).add(to: router)
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "vigil"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }
}
