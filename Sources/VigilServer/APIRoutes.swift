import Foundation
import Hummingbird
import Vigil
import VigilStore

/// The JSON API under `/api/v1`, the health check and the Prometheus metrics, over one store.
///
/// Every answer is JSON built by the core's `JSONObject`, so the API's event objects are the ones
/// `vigil replay --json` and `vigil events --json` print. Bad parameters get 400 with what was wrong,
/// unknown ids 404, both as `{"error":{"message":...}}`.
public struct APIRoutes: Sendable {
    /// The store read.
    public let store: VigilStore
    /// The clock (seconds since the epoch), for "now" in status and default time ranges.
    public let now: @Sendable () -> Double

    /// Routes over `store`.
    public init(store: VigilStore, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.store = store
        self.now = now
    }

    /// Adds the routes to `router`.
    public func add(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.get("/api/v1/targets") { _, _ in try self.targets() }
        router.get("/api/v1/status") { _, _ in try self.status() }
        router.get("/api/v1/events") { request, _ in try self.events(request) }
        router.get("/api/v1/events/{id}") { _, context in
            guard let id = context.parameters.get("id", as: Int.self) else {
                throw HTTPError(.badRequest, message: "event id must be a number")
            }
            return try self.event(id)
        }
        router.get("/api/v1/signals") { request, _ in try self.signals(request) }
        router.get("/metrics") { _, _ in try self.metrics() }
    }

    // MARK: Handlers

    func targets() throws -> Response {
        let items = try read { try store.targets() }.map { t -> String in
            var o = JSONObject()
            o.add("name", t.name)
            o.add("description", t.description)
            return o.closed
        }
        return Self.json("{\"targets\":[" + items.joined(separator: ",") + "]}")
    }

    func status() throws -> Response {
        let t = now()
        let heartbeat = try read { try store.setting("heartbeat") }.flatMap(Double.init)
        let stopped = try read { try store.setting("stopped") }.flatMap(Double.init)
        var o = JSONObject()
        o.add("time", UTCTime.iso(t))
        o.add("watching", heartbeat.map { t - $0 < 30 && (stopped ?? 0) < $0 } ?? false ? "yes" : "no")
        o.add("voting_rule", try read { try store.setting("voting_rule") })
        let gaps = try read { try store.feedGaps(from: t) }.filter { $0.end == nil }
        o.add("open_feed_gaps", gaps.map { "\($0.source) since \(UTCTime.iso($0.start)): \($0.reason)" })
        var targets: [String] = []
        for target in try read({ try store.targets() }) {
            let open = try read { try store.events(target: target.name, open: true) }
            let last = try read { try store.signals(target: target.name, from: t - 86400, to: t + 86400) }.last
            var j = JSONObject()
            j.add("target", target.name)
            j.add("state", VigilStore.state(openEvents: open, lastBin: last, feedGap: !gaps.isEmpty))
            j.add("open_events", open.map(\.id))
            if let last {
                j.add("prefixes_up", last.prefixesUp)
                j.add("prefixes", last.prefixes)
                j.add("voting_peers", last.votingPeers)
            }
            targets.append(j.closed)
        }
        o.add("targets", raw: "[" + targets.joined(separator: ",") + "]")
        return Self.json(o.closed)
    }

    func events(_ request: Request) throws -> Response {
        let q = request.uri.queryParameters
        let since = try q.get("since").map { try Self.time($0, "since") }
        let until = try q.get("until").map { try Self.time($0, "until") }
        var cause: Cause?
        if let text = q.get("cause") {
            guard let c = Cause(rawValue: text) else {
                throw HTTPError(
                    .badRequest,
                    message: "unknown cause \(text); one of \(Cause.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            cause = c
        }
        var open: Bool?
        if let state = q.get("state") {
            guard state == "open" || state == "closed" else {
                throw HTTPError(.badRequest, message: "state must be open or closed, not \(state)")
            }
            open = state == "open"
        }
        var limit = 100
        if let text = q.get("limit") {
            guard let n = Int(text), (1...10_000).contains(n) else {
                throw HTTPError(.badRequest, message: "limit must be a number from 1 to 10000, not \(text)")
            }
            limit = n
        }
        let target = q.get("target")
        let found = try read {
            try store.events(target: target, since: since, until: until, cause: cause, open: open, limit: limit)
        }
        return Self.json("{\"events\":[" + found.map(\.jsonLine).joined(separator: ",") + "]}")
    }

    func event(_ id: Int) throws -> Response {
        guard let e = try read({ try store.event(id: id) }) else {
            throw HTTPError(.notFound, message: "no event \(id)")
        }
        return Self.json(e.jsonLine)
    }

    func signals(_ request: Request) throws -> Response {
        let q = request.uri.queryParameters
        guard let target = q.get("target") else { throw HTTPError(.badRequest, message: "target is required") }
        let t = now()
        let to = try q.get("to").map { try Self.time($0, "to") } ?? t
        let from = try q.get("from").map { try Self.time($0, "from") } ?? (to - 86400)
        guard from < to else { throw HTTPError(.badRequest, message: "from must be before to") }
        guard to - from <= 400 * 86400 else { throw HTTPError(.badRequest, message: "at most 400 days at once") }
        let bins = try read { try store.signals(target: target, from: from, to: to) }
        let items = bins.map { b -> String in
            var o = JSONObject()
            o.add("start", UTCTime.iso(b.start))
            o.add("seconds", Int(b.seconds))
            o.add("prefixes_up", b.prefixesUp)
            o.add("prefixes", b.prefixes)
            o.add("voting_peers", b.votingPeers)
            o.add("updates", b.updates)
            var ups = JSONObject()
            for (a, v) in b.upstreamShare.sorted(by: { $0.key < $1.key }) { ups.add("\(a)", v) }
            o.add("upstreams", raw: ups.closed)
            return o.closed
        }
        var o = JSONObject()
        o.add("target", target)
        o.add("from", UTCTime.iso(from))
        o.add("to", UTCTime.iso(to))
        o.add("signals", raw: "[" + items.joined(separator: ",") + "]")
        return Self.json(o.closed)
    }

    func metrics() throws -> Response {
        let t = now()
        let open = try read { try store.events(open: true, limit: 10_000) }
        let gaps = try read { try store.feedGaps(from: t) }.filter { $0.end == nil }
        let counters = try read { try store.setting("counters") } ?? "{}"
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

    static func time(_ text: String, _ name: String) throws -> Double {
        if let t = UTCTime.parse(text) { return t }
        if let t = Double(text) { return t }
        throw HTTPError(
            .badRequest, message: "\(name) must be an ISO 8601 UTC time or seconds since the epoch, not \(text)")
    }

    func read<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw HTTPError(.internalServerError, message: error.description)
        }
    }
}
