import BGP

/// The parameters of the HTTP API's and the pages' queries, read from outside text by total functions.
///
/// Everything a request carries is hostile until checked here: times go through `UTCTime.read` (years
/// 1970 to 9999), numbers through stated ranges, and an empty value counts as absent (as a browser's
/// form sends it, and as the OpenAPI document allows). A wrong value is a `QueryError` whose message
/// says which parameter and why; nothing here traps. The server turns the error into a 400.
public enum APIQuery {
    /// Most bins one series answer holds: a week of one-minute bins is 10,080; 20,000 keeps any answer
    /// under about 5 MB. Longer ranges must ask for wider bins.
    public static let maxBins = 20_000

    /// A parameter's value, nil when absent or empty.
    static func value(_ get: (String) -> String?, _ name: String) -> String? {
        guard let v = get(name), !v.isEmpty else { return nil }
        return v
    }

    /// A time parameter: nil when absent; an error that names it when it is not a time Vigil accepts.
    public static func time(_ text: String?, _ name: String) throws(QueryError) -> Double? {
        guard let text, !text.isEmpty else { return nil }
        switch UTCTime.read(text) {
        case .success(let t): return t
        case .failure(let e):
            throw QueryError("\(name) \(e.reason) (ISO 8601 UTC such as 2025-06-06T17:30:03Z, or seconds since 1970)")
        }
    }

    /// `GET /api/v1/events`'s filters.
    public struct Events: Equatable, Sendable {
        public var target: String?
        public var since: Double?
        public var until: Double?
        public var cause: Cause?
        /// nil: both; true: open only; false: closed only.
        public var open: Bool?
        public var limit = 100
    }

    /// Reads the events filters: `target`, `since`, `until`, `cause`, `state` (open or closed), `limit`
    /// (1 to 10,000, default 100).
    public static func events(_ get: (String) -> String?) throws(QueryError) -> Events {
        var q = Events()
        q.target = value(get, "target")
        q.since = try time(get("since"), "since")
        q.until = try time(get("until"), "until")
        if let text = value(get, "cause") {
            guard let c = Cause(rawValue: text) else {
                throw QueryError(
                    "unknown cause \(text); one of \(Cause.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            q.cause = c
        }
        if let state = value(get, "state") {
            guard state == "open" || state == "closed" else {
                throw QueryError("state must be open or closed, not \(state)")
            }
            q.open = state == "open"
        }
        if let text = value(get, "limit") {
            guard text.utf8.count <= 6, let n = Int(text), (1...10_000).contains(n) else {
                throw QueryError("limit must be a number from 1 to 10000, not \(text)")
            }
            q.limit = n
        }
        return q
    }

    /// A series query (signals, probes, a target's page): a target, a time range and a bin width.
    public struct Series: Equatable, Sendable {
        public var target: String
        public var from: Double
        public var to: Double
        /// Seconds per bin; nil: as stored.
        public var bin: Double?
    }

    /// Reads `target` (unless `target` is given: a page's path names it), `from` (default: a day before
    /// `to`), `to` (default: `now`) and `bin` (1 s to 31 days): at most `maxDays` at once; a `bin` too
    /// narrow for `maxBins` bins is widened (`leastBin`).
    public static func series(
        _ get: (String) -> String?, target: String? = nil, now: Double, maxDays: Double
    ) throws(QueryError) -> Series {
        guard let name = target ?? value(get, "target") else { throw QueryError("target is required") }
        let to = try time(get("to"), "to") ?? min(max(now, UTCTime.earliest + 1), UTCTime.end - 1)
        let from = try time(get("from"), "from") ?? max(to - 86400, UTCTime.earliest)
        guard from < to else { throw QueryError("from must be before to") }
        guard to - from <= maxDays * 86400 else {
            throw QueryError("from and to are more than \(Int(maxDays)) days apart: ask for at most \(Int(maxDays))")
        }
        var bin: Double?
        if let text = value(get, "bin") {
            guard text.utf8.count <= 16, let b = Double(text), b >= 1, b <= 86400 * 31 else {
                throw QueryError("bin must be a number of seconds from 1 to 2678400, not \(text)")
            }
            // A bin so narrow that the range holds more than maxBins is widened to the least that fits; the
            // answer's `bin` says which width was used.
            bin = max(b, leastBin(from: from, to: to))
        }
        return Series(target: name, from: from, to: to, bin: bin)
    }

    /// The narrowest bin, in whole seconds, that cuts `from`...`to` into at most `maxBins` bins.
    public static func leastBin(from: Double, to: Double) -> Double {
        max(1, ((to - from) / Double(maxBins)).rounded(.up))
    }
}

/// A query parameter that was wrong, and why (the server answers it with a 400).
public struct QueryError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
