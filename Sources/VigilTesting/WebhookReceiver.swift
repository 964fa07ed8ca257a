import Foundation
import Hummingbird
import Logging
import VigilClock

/// A webhook receiver on loopback: a real HTTP server that records every POST to `/hook/KIND` and
/// answers 200, for the alert tests.
public enum WebhookReceiver {
    /// What the receiver got: (path's last part, body).
    public final class Inbox: @unchecked Sendable {
        private let items = Locked<[(String, String)]>()

        public init() {}

        public func add(_ path: String, _ body: String) { items.append((path, body)) }
        public func bodies(_ path: String) -> [String] { items.value.filter { $0.0 == path }.map(\.1) }

        /// The `kind` of each body received on `path`, in order ("event_start", ...).
        public func kinds(_ path: String) -> [String] { bodies(path).map(WebhookReceiver.kind) }
    }

    /// A receiver on `port` recording into `inbox`; run it with `runService()`.
    public static func application(port: Int, inbox: Inbox) -> some ApplicationProtocol {
        let router = Router()
        router.post("/hook/{kind}") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            inbox.add(context.parameters.get("kind") ?? "", String(buffer: body))
            return HTTPResponse.Status.ok
        }
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
    }

    /// A JSON alert's `kind`.
    public static func kind(_ body: String) -> String {
        ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])?["kind"] as? String ?? "?"
    }
}
