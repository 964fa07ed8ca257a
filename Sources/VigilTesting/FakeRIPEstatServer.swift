import BGP
import Foundation
import Hummingbird
import Logging
import NIOCore
import VigilClock

/// A real HTTP server on loopback that answers RIPEstat's `bgp-state` and `bgp-updates` data calls
/// (`/data/bgp-state/data.json?resource=…&timestamp=…`, `/data/bgp-updates/data.json?resource=…&starttime=…&endtime=…`)
/// in the API's real response shape (the envelope with `status`, `data_call_name`…, and `data` holding
/// `bgp_state[]` of `{target_prefix, source_id, path, community}` or `updates[]` of
/// `{timestamp, type, attrs{…}}`), from real routes: the Cloudflare incident's per-peer table and updates
/// as RIPE NCC published them (`Route.cloudflare()`). A resource matches its prefix and every more
/// specific one; several resources, comma-separated, are combined, as RIPEstat does. Every request is
/// logged; the first `failing` requests are answered 503, as a busy RIPEstat answers.
public final class FakeRIPEstatServer: Sendable {
    /// One route of the data: at `time` (nil: in the table at the start), said by `source`
    /// (`01-195.66.227.163`), withdrawn or with its path.
    public struct Route: Sendable {
        public var time: Double?
        public var source: String
        public var prefix: IPPrefix
        public var withdrawn: Bool
        public var path: [UInt32]

        /// The Cloudflare incident of 2022-06-21 as RIPE NCC's lab published it (the `.jsonf` file: the
        /// three peers' table at 06:00, then their updates to 08:00); the peers' collectors are the
        /// incident README's (Telia and NTT at rrc01, Cogent at rrc25).
        public static func cloudflare() throws -> (routes: [Route], tableTime: Double) {
            let file = try Fixtures.path(
                "incidents/cloudflare-2022-06-21/emileaben+event-as13335-2022-06-21__as13335.2022-06-21.peers-t1set3.init+updates.exact-match.jsonf"
            )
            let collectors = ["195.66.227.163": "01", "195.66.224.138": "01", "130.117.255.1": "25"]
            var routes: [Route] = []
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
                guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let peer = o["peer_ip"] as? String, let rrc = collectors[peer],
                    let prefix = (o["pfx"] as? String).flatMap(IPPrefix.init)
                else { throw RIPEstatFixtureError(line: String(line)) }
                let path = (o["path"] as? [String] ?? []).compactMap { UInt32($0) }
                routes.append(
                    Route(
                        time: (o["ts"] as? NSNumber)?.doubleValue, source: "\(rrc)-\(peer)", prefix: prefix,
                        withdrawn: o["W"] as? Bool ?? false, path: path))
            }
            // The README: the table is RIS's per-peer table of 2022-06-21 06:00.
            return (routes, 1_655_791_200)
        }
    }

    /// A line of the fixture that does not read.
    public struct RIPEstatFixtureError: Error, CustomStringConvertible {
        public var line: String
        public var description: String { "fixture line does not read: \(line)" }
    }

    private let routes: [Route]
    private let tableTime: Double
    private let failing: Int
    private let log = Locked<[String]>([])
    private let portBox = Locked(0)

    /// A server over `routes`, whose table (routes without a time) holds at `tableTime`.
    public init(routes: [Route], tableTime: Double, failing: Int = 0) {
        self.routes = routes
        self.tableTime = tableTime
        self.failing = failing
    }

    /// The port once running, and the base URL to give `--ripestat-url`.
    public var port: Int { portBox.value }
    public var url: String { "http://127.0.0.1:\(port)" }
    /// Every request so far: path and query.
    public var requests: [String] { log.value }

    /// Starts the server in a task; returns once it listens.
    public func start() async throws -> Task<Void, any Error> {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            var logger = Logger(label: "fake-ripestat")
            logger.logLevel = .critical
            let router = Router()
            router.get("**") { request, _ -> Response in self.answer(request) }
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in
                    let port = channel.localAddress?.port ?? 0
                    self.portBox.withLock { $0 = port }
                    continuation.yield(port)
                }, logger: logger)
            try await app.run()
        }
        for await _ in stream { break }
        return task
    }

    private func answer(_ request: Request) -> Response {
        let path = request.uri.path
        let count = log.withLock {
            $0.append(path + "?" + (request.uri.query ?? ""))
            return $0.count
        }
        if count <= failing { return Response(status: .serviceUnavailable) }
        let q = request.uri.queryParameters
        let resources = String(q["resource"] ?? "").split(separator: ",").compactMap { IPPrefix(String($0)) }
        guard !resources.isEmpty else { return Self.error("resource: a prefix or a list of prefixes is required") }
        func matches(_ p: IPPrefix) -> Bool { resources.contains { $0.contains(p) } }
        switch path {
        case "/data/bgp-state/data.json":
            guard let t = Self.time(q["timestamp"]) else { return Self.error("timestamp is required") }
            // The table, then the updates up to the time, per source and prefix.
            struct Key: Hashable {
                var source: String
                var prefix: IPPrefix
            }
            var state: [Key: Route] = [:]
            var order: [Key] = []
            for r in routes where matches(r.prefix) && (r.time ?? tableTime) <= t && t >= tableTime {
                let key = Key(source: r.source, prefix: r.prefix)
                if state[key] == nil { order.append(key) }
                state[key] = r
            }
            let entries = order.compactMap { state[$0] }.filter { !$0.withdrawn }.map { r in
                "{\"target_prefix\":\"\(r.prefix)\",\"source_id\":\"\(r.source)\",\"path\":[\(r.path.map(String.init).joined(separator: ","))],\"community\":[]}"
            }
            return Self.ok(
                call: "bgp-state",
                data:
                    "{\"resource\":\"\(resources.map(\.description).joined(separator: ","))\",\"timestamp\":\"\(Self.iso(t))\",\"bgp_state\":[\(entries.joined(separator: ","))],\"nr_routes\":\(entries.count)}"
            )
        case "/data/bgp-updates/data.json":
            guard let from = Self.time(q["starttime"]), let to = Self.time(q["endtime"]) else {
                return Self.error("starttime and endtime are required")
            }
            var seq = 0
            var updates: [String] = []
            for r in routes where matches(r.prefix) {
                guard let t = r.time, t >= from, t <= to else { continue }
                seq += 1
                let attrs =
                    r.withdrawn
                    ? "{\"target_prefix\":\"\(r.prefix)\",\"source_id\":\"\(r.source)\"}"
                    : "{\"target_prefix\":\"\(r.prefix)\",\"source_id\":\"\(r.source)\",\"path\":[\(r.path.map(String.init).joined(separator: ","))],\"community\":[]}"
                updates.append(
                    "{\"seq\":\(seq),\"timestamp\":\"\(Self.iso(t))\",\"type\":\"\(r.withdrawn ? "W" : "A")\",\"attrs\":\(attrs)}"
                )
            }
            return Self.ok(
                call: "bgp-updates",
                data:
                    "{\"resource\":\"\(resources.map(\.description).joined(separator: ","))\",\"query_starttime\":\"\(Self.iso(from))\",\"query_endtime\":\"\(Self.iso(to))\",\"updates\":[\(updates.joined(separator: ","))],\"nr_updates\":\(updates.count)}"
            )
        default:
            return Response(status: .notFound)
        }
    }

    /// RIPEstat's time form: `2022-06-21T06:00:00`, UTC, no zone letter.
    static func iso(_ t: Double) -> String { String(UTCTime.iso(t).prefix(19)) }

    static func time(_ text: Substring?) -> Double? {
        guard var text = text.map(String.init) else { return nil }
        if text.count == 19 || text.count == 16 { text += "Z" }
        return try? UTCTime.read(text).get()
    }

    static func ok(call: String, data: String) -> Response {
        let body =
            "{\"messages\":[],\"see_also\":[],\"version\":\"1.2\",\"data_call_name\":\"\(call)\",\"data_call_status\":\"supported\",\"cached\":false,\"query_id\":\"fake\",\"process_time\":1,\"server_id\":\"loopback\",\"build_version\":\"fake\",\"status\":\"ok\",\"status_code\":200,\"time\":\"2026-12-02T00:00:00\",\"data\":\(data)}"
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func error(_ text: String) -> Response {
        let body =
            "{\"messages\":[[\"error\",\"\(text)\"]],\"status\":\"error\",\"status_code\":400,\"data\":{}}"
        return Response(
            status: .badRequest, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
