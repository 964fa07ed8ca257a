import BGP
import Foundation
import Hummingbird
import Vigil
import VigilClock
import VigilStore

/// The JSON API under `/api/v1`, the health check and the Prometheus metrics, over one store.
///
/// Every answer is JSON built by the core's `JSONObject`, so the API's event objects are the ones
/// `vigil replay --json` and `vigil events --json` print. Bad parameters get 400 with what was wrong,
/// unknown ids 404, both as `{"error":{"message":...}}`.
public struct APIRoutes: Sendable {
    /// The store read.
    public let store: History
    /// The clock (seconds since the epoch), for "now" in status and default time ranges.
    public let now: @Sendable () -> Double
    /// The bearer token that allows writing annotations; nil: annotations are read-only.
    public let apiToken: String?
    /// Change streams open, against their cap.
    let streams: StreamSlots
    /// The clock the change streams run on.
    let clock: any EpochClock
    /// Whether the process serving writes its store (a watch), for `/healthz` and `/metrics`.
    let health: @Sendable () -> StoreHealth

    /// Routes over `store`; at most `maxStreams` change streams at once.
    public init(
        store: History, apiToken: String? = nil,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }, maxStreams: Int = 64
    ) {
        self.init(store: store, apiToken: apiToken, now: now, streams: StreamSlots(limit: maxStreams))
    }

    init(
        store: History, apiToken: String?, now: @escaping @Sendable () -> Double, streams: StreamSlots,
        health: @escaping @Sendable () -> StoreHealth = { StoreHealth() }, clock: any EpochClock = SystemClock()
    ) {
        self.clock = clock
        self.store = store
        self.apiToken = apiToken
        self.now = now
        self.streams = streams
        self.health = health
    }

    /// Adds the routes to `router`.
    public func add(to router: Router<BasicRequestContext>) {
        router.read("/healthz") { _, _ in self.healthz() }
        router.read("/api/v1/targets") { _, _ in try await self.targets() }
        router.read("/api/v1/status") { _, _ in try await self.status() }
        router.read("/api/v1/events") { request, _ in try await self.events(request) }
        router.read("/api/v1/events/{id}") { _, context in try await self.event(try Self.id(context)) }
        router.read("/api/v1/events/{id}/annotations") { _, context in try await self.annotations(try Self.id(context))
        }
        router.post("/api/v1/events/{id}/annotations") { request, context in
            try await self.annotate(try Self.id(context), request)
        }
        router.read("/api/v1/openapi.json") { _, _ in try Self.openAPI() }
        router.read("/api/v1/stream") { _, _ in try ChangeStream(store: store, slots: streams, clock: clock).response()
        }
        router.read("/api/v1/signals") { request, _ in try await self.signals(request) }
        router.read("/api/v1/probes") { request, _ in try await self.probes(request) }
        router.read("/metrics") { _, _ in try await self.metrics() }
    }

    // MARK: Handlers

    func targets() async throws -> Response {
        let items = try await storeRead { try store.targets() }.map { t -> String in
            var o = JSONObject()
            o.add("name", t.name)
            o.add("description", t.description)
            return o.closed
        }
        return Self.json("{\"targets\":[" + items.joined(separator: ",") + "]}")
    }

    /// 200 `{"status":"ok"}`; 503 naming the store while the watch serving it cannot write to it.
    func healthz() -> Response {
        let h = health()
        var response = Self.json(h.json(path: store.path))
        if h.isFailing { response.status = .serviceUnavailable }
        return response
    }

    func status() async throws -> Response {
        Self.json(try await storeRead { try store.statusReport(now: now()) }.json)
    }

    func events(_ request: Request) async throws -> Response {
        let q = request.uri.queryParameters
        let f = try Self.checked { () throws(QueryError) in try APIQuery.events { q.get($0) } }
        let found = try await storeRead {
            try store.events(
                target: f.target, since: f.since, until: f.until, cause: f.cause, open: f.open, limit: f.limit)
        }
        return Self.json("{\"events\":[" + found.map(\.jsonLine).joined(separator: ",") + "]}")
    }

    /// Runs a query parser; its error becomes a 400 that says what was wrong.
    static func checked<T>(_ parse: () throws(QueryError) -> T) throws(HTTPError) -> T {
        do {
            return try parse()
        } catch {
            throw HTTPError(.badRequest, message: error.message)
        }
    }

    func event(_ id: Int) async throws -> Response {
        guard let e = try await storeRead({ try store.event(id: id) }) else {
            throw HTTPError(.notFound, message: "no event \(id)")
        }
        let notes = try await storeRead { try store.annotations(eventID: id) }
        return Self.json(
            String(e.jsonLine.dropLast()) + ",\"annotations\":[" + notes.map(Self.json).joined(separator: ",") + "]}")
    }

    static func id(_ context: BasicRequestContext) throws -> Int {
        guard let id = context.parameters.get("id", as: Int.self) else {
            throw HTTPError(.badRequest, message: "event id must be a number")
        }
        return id
    }

    static func openAPI() throws -> Response {
        guard let text = ServerResources.text("openapi.json") else {
            throw HTTPError(.internalServerError, message: "openapi.json is not installed beside the vigil binary")
        }
        return json(text)
    }

    /// A series request's `target`, `from` (default: a day before `to`), `to` (default: now) and `bin`,
    /// checked by `APIQuery.series`: at most `maxDays` at once, bins of 1 s to 31 days.
    func seriesQuery(_ request: Request, maxDays: Double) throws -> (
        target: String, from: Double, to: Double, bin: Double?
    ) {
        let q = request.uri.queryParameters
        let t = now()
        let s = try Self.checked { () throws(QueryError) in try APIQuery.series({ q.get($0) }, now: t, maxDays: maxDays)
        }
        return (s.target, s.from, s.to, s.bin)
    }

    /// The fields a series answer opens with: `target`, `from`, `to` and, when asked for, `bin`.
    static func seriesHeader(target: String, from: Double, to: Double, bin: Double?) -> JSONObject {
        var o = JSONObject()
        o.add("target", target)
        o.add("from", UTCTime.iso(from))
        o.add("to", UTCTime.iso(to))
        if let bin { o.add("bin", bin) }
        return o
    }

    func signals(_ request: Request) async throws -> Response {
        let (target, from, to, asked) = try seriesQuery(request, maxDays: 400)
        let limit = APIQuery.maxBins
        var bin = asked
        var answer = try await storeRead {
            try store.signalsJSON(target: target, from: from, to: to, bin: asked, limit: limit)
        }
        if answer == nil {
            // More stored bins than an answer may hold: the least bin that fits, named in the answer.
            let wider = APIQuery.leastBin(from: from, to: to)
            bin = wider
            answer = try await storeRead {
                try store.signalsJSON(target: target, from: from, to: to, bin: wider, limit: limit)
            }
        }
        guard let array = answer else {
            throw HTTPError(.internalServerError, message: "the signals answer would not fit its bound")
        }
        var head = Self.seriesHeader(target: target, from: from, to: to, bin: bin).closed
        head.removeLast()
        var out = ByteBuffer()
        out.reserveCapacity(head.utf8.count + array.count + 16)
        out.writeString(head + ",\"signals\":")
        out.writeBytes(array)
        out.writeString("}")
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: out))
    }

    func metrics() async throws -> Response {
        let t = now()
        let open = try await storeRead { try store.events(open: true, limit: 10_000) }
        // Open feed gaps, counters and target states: one report, read in one transaction.
        let report = try await storeRead { try store.statusReport(now: t) }
        let gaps = report.openGaps
        let counters = report.countersJSON
        var lines = [
            "# HELP vigil_open_events Events open now, per cause.", "# TYPE vigil_open_events gauge",
        ]
        for cause in Cause.allCases {
            lines.append("vigil_open_events{cause=\"\(cause.rawValue)\"} \(open.filter { $0.cause == cause }.count)")
        }
        lines += [
            "# HELP vigil_feed_gaps_open Sources without data now.", "# TYPE vigil_feed_gaps_open gauge",
            "vigil_feed_gaps_open \(gaps.count)",
            "# HELP vigil_store_bytes Size of the SQLite store, WAL included.", "# TYPE vigil_store_bytes gauge",
            "vigil_store_bytes \(store.sizeInBytes)",
        ]
        let h = health()
        lines += [
            "# HELP vigil_store_failing 1 while commits to the store fail (what waits is kept in memory).",
            "# TYPE vigil_store_failing gauge", "vigil_store_failing \(h.isFailing ? 1 : 0)",
        ]
        if let since = h.failingSince {
            lines += [
                "# HELP vigil_store_failing_since_seconds When the store started failing (seconds since the epoch).",
                "# TYPE vigil_store_failing_since_seconds gauge", "vigil_store_failing_since_seconds \(since)",
            ]
        }
        lines += [
            "# HELP vigil_target_state A target's state now (1 for the state it is in).",
            "# TYPE vigil_target_state gauge",
        ]
        for target in report.targets {
            for state in ["up", "partial", "dark", "feed problem"] {
                lines.append(
                    "vigil_target_state{target=\"\(Self.label(target.name))\",state=\"\(state)\"} \(target.state == state ? 1 : 0)"
                )
            }
        }
        if let heartbeat = report.heartbeat {
            lines += [
                "# HELP vigil_heartbeat_age_seconds Seconds since vigil watch last wrote its heartbeat.",
                "# TYPE vigil_heartbeat_age_seconds gauge", "vigil_heartbeat_age_seconds \(max(0, t - heartbeat))",
            ]
        }
        lines += [
            "# HELP vigil_webhook_pending Alerts waiting for delivery, per hook.", "# TYPE vigil_webhook_pending gauge",
        ]
        // Hooks by format and host only: their URLs hold secrets. Two hooks on one host are told apart by
        // their order ("slack hooks.slack.com #2").
        var seen: [String: Int] = [:]
        for (hook, n) in try await storeRead({ try store.pendingAlertCounts() }).sorted(by: { $0.key < $1.key }) {
            var name = Webhook.label(id: hook)
            seen[name, default: 0] += 1
            if let k = seen[name], k > 1 { name += " #\(k)" }
            lines.append("vigil_webhook_pending{hook=\"\(Self.label(name))\"} \(n)")
        }
        if let object = try? JSONSerialization.jsonObject(with: Data(counters.utf8)) as? [String: Any] {
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                guard let n = value as? NSNumber else { continue }
                lines.append("# TYPE vigil_\(key)_total counter")
                lines.append("vigil_\(key)_total \(n.intValue)")
            }
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n") + "\n")))
    }

    // MARK: Helpers

    static func json(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A Prometheus label value with its three special characters escaped.
    static func label(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A time parameter (ISO 8601 UTC or seconds since 1970, years 1970 to 9999); a 400 that says why
    /// otherwise.
    static func time(_ text: String, _ name: String) throws -> Double {
        guard let t = try checked({ () throws(QueryError) in try APIQuery.time(text, name) }) else {
            throw HTTPError(.badRequest, message: "\(name) is empty")
        }
        return t
    }

}
