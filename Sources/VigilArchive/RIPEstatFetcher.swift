import AsyncHTTPClient
import BGP
import Foundation
import RISLive
import VigilClock

/// What to ask RIPEstat for (`vigil replay --source ripestat`): the table at `from` (`bgp-state`) and the
/// changes from `from` to `to` (`bgp-updates`) for a small target's prefixes.
public struct RIPEstatRequest: Sendable {
    /// The prefixes asked about (RIPEstat answers each with its more specific routes too).
    public var resources: [String]
    public var from: Double
    public var to: Double
    /// The data API's base (`https://stat.ripe.net`; a test's server).
    public var base = RIPEstatRequest.defaultBase
    /// Who asks, as RIPEstat's usage rules want every caller to say (`sourceapp`).
    public var sourceapp = "vigil"
    public var cache: ArchiveCache
    /// Use the cache alone.
    public var offline = false
    /// Calls in flight at once: RIPEstat asks callers to stay modest.
    public var parallel = 2
    /// Resources per call (RIPEstat combines a comma-separated list); keeps URLs short.
    public var perCall = 50
    public var timeout: Duration = .seconds(60)
    public var retries = 3
    public var retryDelay = 2.0
    /// An answer fetched at least this long after `to` is final and kept for good; one fetched earlier may
    /// miss the range's last changes and is asked again (RIS data reaches RIPEstat with a delay).
    public var publishDelay: Double = 2 * 3600
    /// The largest answer accepted.
    public static let maxAnswerBytes = 512 << 20
    public static let defaultBase = "https://stat.ripe.net"

    public init(resources: [String], from: Double, to: Double, cache: ArchiveCache) {
        self.resources = resources
        self.from = from
        self.to = to
        self.cache = cache
    }

    /// The calls of the request: per group of `perCall` resources, `bgp-state` then `bgp-updates`, each
    /// with its query (without `sourceapp`, which does not change the answer).
    public var calls: [(call: String, query: String)] {
        let groups = stride(from: 0, to: resources.count, by: max(1, perCall)).map {
            resources[$0..<min($0 + max(1, perCall), resources.count)].joined(separator: ",")
        }
        let start = Self.time(from)
        let end = Self.time(to)
        return groups.flatMap { group in
            [
                ("bgp-state", "resource=\(group)&timestamp=\(start)"),
                ("bgp-updates", "resource=\(group)&starttime=\(start)&endtime=\(end)"),
            ]
        }
    }

    /// RIPEstat's time form, `2022-06-21T06:00:00` (UTC).
    static func time(_ t: Double) -> String { String(UTCTime.iso(t.rounded(.down)).prefix(19)) }

    func url(_ call: String, _ query: String) -> String {
        let base = base.hasSuffix("/") ? String(base.dropLast()) : base
        let encoded = query.addingPercentEncoding(withAllowedCharacters: Self.queryCharacters) ?? query
        return "\(base)/data/\(call)/data.json?\(encoded)&sourceapp=\(sourceapp)"
    }

    /// Characters left as they are in a query: prefixes' `/`, `:` and `.`, the list's `,`, `=` and `&`.
    static let queryCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~/:,=&"))
}

/// What RIPEstat gave: the answer files (cached), and what could not be had.
public struct RIPEstatFetchResult: Sendable {
    /// The answers, in the order of the calls (replay tells their form by content).
    public var paths: [String] = []
    /// The URLs asked (or that the cached answers came from).
    public var urls: [String] = []
    public var cached = 0
    public var requests = 0
    public var bytes: UInt64 = 0
    public var warnings: [String] = []
    /// A `bgp-updates` call that failed leaves the range without changes for its resources: a feed gap.
    public var gaps: [ArchiveGap] = []
}

/// Asks RIPEstat's data API for a small target's routes over a range (`vigil replay --source ripestat`):
/// a few calls, `parallel` at once, each tried again with a back-off when RIPEstat is busy (503, 429) or
/// the connection fails; answers are checked (`JSONRouteFile`) and cached before replay reads them.
public struct RIPEstatFetcher: Sendable {
    public let request: RIPEstatRequest
    public let clock: any EpochClock

    public init(_ request: RIPEstatRequest, clock: any EpochClock = SystemClock()) {
        self.request = request
        self.clock = clock
    }

    /// Fetches what the cache lacks; throws only when nothing can be had (offline with an empty cache, or
    /// every call failed).
    public func fetch(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> RIPEstatFetchResult {
        let calls = request.calls
        let state = Locked(RIPEstatFetchResult())
        var slots = [String?](repeating: nil, count: calls.count)
        var todo: [Int] = []
        for (i, c) in calls.enumerated() {
            let path = request.cache.ripestatPath(call: c.call, query: c.query)
            let fetched = Self.modified(path)
            if let fetched, request.offline || fetched >= request.to + request.publishDelay {
                slots[i] = path
                state.withLock { $0.cached += 1 }
            } else if !request.offline {
                todo.append(i)
            }
        }
        if request.offline && slots.contains(where: { $0 == nil }) {
            let missing = calls.indices.filter { slots[$0] == nil }.map { calls[$0].call }
            throw ArchiveError(
                "--offline: \(missing.count) RIPEstat answers of the range (\(Set(missing).sorted().joined(separator: ", "))) are not in the cache \(request.cache.root)/ripestat"
            )
        }
        if !todo.isEmpty {
            let asked = todo
            let policy = RetryPolicy(retries: request.retries, delay: request.retryDelay, clock: clock)
            let configuration = RetryPolicy.clientConfiguration(timeout: request.timeout)
            let done = try await HTTPClient.withHTTPClient(configuration: configuration) { client in
                await RetryPolicy.inParallel(asked.count, parallel: request.parallel) { k in
                    await self.answer(calls[asked[k]], client: client, policy: policy, state: state)
                } done: { ended in
                    progress("RIPEstat: \(ended) of \(asked.count) calls answered")
                }
            }
            for (k, path) in done.enumerated() { slots[asked[k]] = path }
        }
        var result = state.value
        for (i, c) in calls.enumerated() {
            result.urls.append(request.url(c.call, c.query))
            if let path = slots[i] { result.paths.append(path) }
        }
        if result.paths.isEmpty {
            throw ArchiveError(
                "nothing to replay: no RIPEstat call of the range was answered"
                    + (result.warnings.first.map { " (the first: \($0))" } ?? ""))
        }
        return result
    }

    /// One call: asked, checked, cached; nil (with a warning, and a gap for `bgp-updates`) when it cannot be had.
    private func answer(
        _ c: (call: String, query: String), client: HTTPClient, policy: RetryPolicy, state: Locked<RIPEstatFetchResult>
    ) async -> String? {
        let url = request.url(c.call, c.query)
        let path = request.cache.ripestatPath(call: c.call, query: c.query)
        let got = await policy.body(url, client: client, maxBytes: RIPEstatRequest.maxAnswerBytes) {
            state.withLock { $0.requests += 1 }
        }
        var failure: String
        switch got {
        case .success(let body):
            state.withLock { $0.bytes += UInt64(body.count) }
            do {
                _ = try JSONRouteFile.read(body)
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(body).write(to: URL(fileURLWithPath: path + ".part"))
                // Renamed once whole: an answer under its own name is complete.
                guard rename(path + ".part", path) == 0 else {
                    throw ArchiveError("renaming \(path).part: \(String(cString: strerror(errno)))")
                }
                return path
            } catch let e as RISParseError {
                failure = "the answer does not read: \(e)"
            } catch {
                failure = "cannot keep the answer in the cache: \(error)"
            }
        case .failure(let e):
            failure = "\(e)"
        }
        state.withLock {
            $0.warnings.append("\(url): \(failure)")
            if c.call == "bgp-updates" {
                $0.gaps.append(
                    ArchiveGap(
                        collector: "ripestat", start: request.from, end: request.to, reason: "\(url): \(failure)"))
            }
        }
        return nil
    }

    /// When the file at `path` was written, nil when there is none.
    static func modified(_ path: String) -> Double? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let date = attributes[.modificationDate] as? Date
        else { return nil }
        return date.timeIntervalSince1970
    }
}
