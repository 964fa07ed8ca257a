import AsyncHTTPClient
import BGP
import Foundation
import NIOCore
import NIOHTTP1
import VigilClock

/// What `vigil replay --from --to` asks of the archives.
public struct ArchiveRequest: Sendable {
    /// The range replayed, seconds since the epoch: `[from, to)`.
    public var from: Double
    public var to: Double
    public var collectors: [ArchiveCollector]
    /// Base URLs per archive (a mirror, or a test's server); the public ones otherwise.
    public var bases: [ArchiveProject: String] = [:]
    public var cache: ArchiveCache
    /// Use the cache alone: no request is sent.
    public var offline = false
    /// Downloads at once.
    public var parallel = 4
    /// A connection, or a response that sends nothing for this long, has failed (and is tried again).
    public var timeout: Duration = .seconds(30)
    /// Tries after the first, with a back-off doubling from `retryDelay`.
    public var retries = 3
    public var retryDelay = 1.0
    /// How long after a range's end an archive's listing is taken to be complete for it: a listing kept in
    /// the cache is used again only when it was fetched at least this long after `to`.
    public var publishDelay: Double = 2 * 3600

    public init(from: Double, to: Double, collectors: [ArchiveCollector], cache: ArchiveCache) {
        self.from = from
        self.to = to
        self.collectors = collectors
        self.cache = cache
    }

    func base(_ project: ArchiveProject) -> String { bases[project] ?? project.defaultBase }
}

/// A file ready to replay: in the cache, whole.
public struct FetchedFile: Sendable, Hashable {
    public var collector: String
    public var file: ArchiveFile
    public var url: String
    /// Its path in the cache.
    public var path: String
    /// It was in the cache already (no request was sent for it).
    public var cached: Bool
}

/// What fetching gave: the files to replay, the gaps where none could be had, and what to tell the user.
public struct ArchiveFetchResult: Sendable {
    /// RIBs and update files, per collector in time order (collectors in the order asked).
    public var files: [FetchedFile] = []
    /// Spans of a collector with no data: files that could not be fetched, and holes in the archive.
    public var gaps: [ArchiveGap] = []
    /// Failures with their URL and other notes (a collector without a folder for a month, no RIB in reach).
    public var warnings: [String] = []
    /// Requests sent, and bytes downloaded.
    public var requests = 0
    public var bytes: UInt64 = 0

    public var paths: [String] { files.map(\.path) }
}

/// Why fetching could not start at all.
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Finds, downloads and caches the archive files of a time range (`vigil replay --from --to`).
///
/// For each collector it reads the month folders' listings (never guessing names), picks the files with
/// `ArchivePlan`, and downloads those not in the cache, `parallel` at once, each resumed with a Range
/// request after a failure and checked against the size the server declared. A file that cannot be had
/// (404, time-out, truncated after every try) is a warning with its URL and a gap for its collector over
/// the span it covers; the rest goes on. Progress is reported as it goes.
public struct ArchiveFetcher: Sendable {
    public let request: ArchiveRequest
    /// The clock that stamps cached listings and measures the rate.
    public let clock: any EpochClock
    /// The largest file accepted (an archive's biggest RIB is a few GB).
    public static let maxFileBytes: UInt64 = 64 << 30

    public init(_ request: ArchiveRequest, clock: any EpochClock = SystemClock()) {
        self.request = request
        self.clock = clock
    }

    /// Lists, plans and downloads; `progress` is called as bytes arrive (at most every 100 ms) and as each
    /// file is done. Throws only when nothing can be done (offline with nothing cached).
    public func fetch(progress: @escaping @Sendable (ArchiveProgress) -> Void = { _ in }) async throws
        -> ArchiveFetchResult
    {
        if request.offline { return try await run(client: nil, progress: progress) }
        let configuration = RetryPolicy.clientConfiguration(timeout: request.timeout)
        return try await HTTPClient.withHTTPClient(configuration: configuration) { client in
            try await run(client: client, progress: progress)
        }
    }

    private func run(client: HTTPClient?, progress: @escaping @Sendable (ArchiveProgress) -> Void) async throws
        -> ArchiveFetchResult
    {
        let state = Locked(ArchiveFetchResult())
        // 1. Listings and plans, per collector.
        var wanted: [(collector: ArchiveCollector, file: ArchiveFile, url: String, end: Double, path: String)] = []
        var listedAny = false
        for collector in request.collectors {
            var files: [ArchiveFile] = []
            var urls: [String: String] = [:]
            var listed = false
            var uncached = false
            for month in ArchiveCache.months(from: request.from - collector.project.ribLookback, to: request.to) {
                for (kind, candidates) in ArchiveCache.listingURLs(
                    base: request.base(collector.project), collector, month: month)
                {
                    let cachePath = request.cache.listingPath(collector, month: month, kind: kind)
                    switch await listing(candidates, cachePath: cachePath, client: client, state: state) {
                    case .found(let html, let url):
                        listed = true
                        for f in ArchiveListing.files(in: html) where kind == nil || f.kind == kind {
                            files.append(f)
                            urls[f.name] = url + f.name
                        }
                    case .absent:
                        continue
                    case .notCached:
                        uncached = true
                    case .failed(let why):
                        state.withLock { $0.warnings.append("\(collector): \(why)") }
                    }
                }
            }
            listedAny = listedAny || listed
            guard listed else {
                // Offline, a folder the cache remembers as absent is the archive's hole, not the cache's.
                let why =
                    uncached ? "no listing in the cache (--offline)" : "the archive has no folder for it in this range"
                state.withLock {
                    $0.warnings.append("\(collector): \(why)")
                    $0.gaps.append(
                        ArchiveGap(collector: collector.name, start: request.from, end: request.to, reason: why))
                }
                continue
            }
            let plan = ArchivePlan(files: files, from: request.from, to: request.to, project: collector.project)
            if let rib = plan.rib, let url = urls[rib.name] {
                wanted.append((collector, rib, url, rib.time, request.cache.path(collector, rib)))
            } else {
                state.withLock {
                    $0.warnings.append(
                        "\(collector): no RIB snapshot at or before \(UTCTime.iso(request.from)) in the archive; its peers start from their first updates"
                    )
                }
            }
            for u in plan.updates {
                guard let url = urls[u.file.name] else { continue }
                wanted.append((collector, u.file, url, u.end, request.cache.path(collector, u.file)))
            }
            for h in plan.holes {
                state.withLock {
                    $0.gaps.append(
                        ArchiveGap(
                            collector: collector.name, start: h.start, end: h.end,
                            reason: "the archive has no update file for this span"))
                }
            }
        }
        if request.offline && !listedAny {
            throw ArchiveError(
                "--offline: the cache \(request.cache.root) holds nothing for \(request.collectors.map(\.name).joined(separator: ", ")) from \(UTCTime.iso(request.from)) to \(UTCTime.iso(request.to)); run once without --offline to fill it"
            )
        }

        // 2. Downloads, `parallel` at once.
        let counter = ProgressCounter(
            files: wanted.count, expected: wanted.reduce(0) { $0 + ($1.file.listedSize ?? 0) }, clock: clock,
            report: progress)
        let jobs = wanted
        let fetched = await RetryPolicy.inParallel(jobs.count, parallel: request.parallel) { i -> FetchedFile? in
            let w = jobs[i]
            let outcome = await self.file(w.url, to: w.path, client: client, counter: counter, state: state)
            counter.fileDone()
            switch outcome {
            case .success(let cached):
                return FetchedFile(collector: w.collector.name, file: w.file, url: w.url, path: w.path, cached: cached)
            case .failure(let why):
                state.withLock {
                    $0.warnings.append("\(w.url): \(why)")
                    $0.gaps.append(
                        ArchiveGap(
                            collector: w.collector.name, start: w.file.time,
                            end: w.file.kind == .rib ? w.file.time : w.end, reason: "\(w.url): \(why)"))
                }
                return nil
            }
        }
        counter.finish()
        return state.withLock { s in
            var out = s
            out.files = fetched.compactMap { $0 }
            // A missing RIB is no span of time: its gap is the warning alone.
            out.gaps = s.gaps.filter { $0.end > $0.start }.sorted {
                ($0.collector, $0.start) < ($1.collector, $1.start)
            }
            out.bytes = counter.downloaded
            return out
        }
    }

    enum ListingOutcome {
        case found([UInt8], url: String)
        /// The archive has no such folder (asked now, or remembered by the cache).
        case absent
        /// Offline, and the cache holds nothing for the folder.
        case notCached
        case failed(String)
    }

    /// A folder's listing: the cached one when it was fetched long enough after the range (or offline),
    /// else the first of `urls` that exists.
    private func listing(_ urls: [String], cachePath: String, client: HTTPClient?, state: Locked<ArchiveFetchResult>)
        async
        -> ListingOutcome
    {
        // The first line says where it came from and when: `URL SECONDS`, or `- SECONDS` for a folder that
        // did not exist (a collector that had no data that month).
        if let cached = FileManager.default.contents(atPath: cachePath), let newline = cached.firstIndex(of: 10) {
            let head = String(decoding: cached[cached.startIndex..<newline], as: UTF8.self).split(separator: " ")
            if head.count == 2, let fetched = Double(head[1]),
                request.offline || fetched >= request.to + request.publishDelay
            {
                return head[0] == "-" ? .absent : .found(Array(cached[(newline + 1)...]), url: String(head[0]))
            }
        }
        guard let client else { return .notCached }
        func keep(_ head: String, _ body: [UInt8]) {
            try? FileManager.default.createDirectory(
                atPath: (cachePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(
                atPath: cachePath, contents: Data(Array("\(head) \(clock.seconds)\n".utf8) + body))
        }
        var failure: String?
        for url in urls {
            switch await get(url, client: client, state: state) {
            case .success(let body):
                keep(url, body)
                return .found(body, url: url)
            case .failure(.notFound):
                continue
            case .failure(let e):
                failure = "\(url): \(e)"
            }
        }
        if let failure { return .failed(failure) }
        keep("-", [])
        return .absent
    }

    /// The retry rule of this request.
    var policy: RetryPolicy { RetryPolicy(retries: request.retries, delay: request.retryDelay, clock: clock) }

    /// `attempt` under the retry rule, each try counted as a request.
    private func retrying<T>(
        _ state: Locked<ArchiveFetchResult>, _ attempt: () async -> Result<T, FetchFailure>
    ) async -> Result<T, FetchFailure> {
        await policy.run(count: { state.withLock { $0.requests += 1 } }, attempt)
    }

    /// A listing's body, with retries.
    private func get(_ url: String, client: HTTPClient, state: Locked<ArchiveFetchResult>) async
        -> Result<[UInt8], FetchFailure>
    {
        await policy.body(url, client: client, maxBytes: ArchiveListing.maxBytes) {
            state.withLock { $0.requests += 1 }
        }
    }

    /// Puts `url` at `path`: at once when it is there already, else downloaded into `path.part` (resumed
    /// from what a failed try left) and renamed when whole. Success says whether it was cached.
    private func file(
        _ url: String, to path: String, client: HTTPClient?, counter: ProgressCounter, state: Locked<ArchiveFetchResult>
    ) async -> Result<Bool, FetchFailure> {
        if FileManager.default.fileExists(atPath: path) { return .success(true) }
        guard let client else { return .failure(.local("not in the cache (--offline)")) }
        let part = path + ".part"
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            return .failure(.local("cannot create the cache folder: \(error.localizedDescription)"))
        }
        return await retrying(state) {
            await download(url, part: part, client: client, counter: counter).flatMap {
                rename(part, path) == 0
                    ? .success(false) : .failure(.local("cannot rename \(part): \(String(cString: strerror(errno)))"))
            }
        }
    }

    /// One try: appends to `part` from its current size.
    private func download(_ url: String, part: String, client: HTTPClient, counter: ProgressCounter) async
        -> Result<Void, FetchFailure>
    {
        var have = Self.size(part)
        var request = HTTPClientRequest(url: url)
        if have > 0 { request.headers.add(name: "Range", value: "bytes=\(have)-") }
        do {
            let response = try await client.execute(request, timeout: .seconds(6 * 3600))
            let code = Int(response.status.code)
            var total: UInt64?
            switch code {
            case 200:
                have = 0
                total = response.headers.first(name: "content-length").flatMap { UInt64($0) }
            case 206:
                guard let range = response.headers.first(name: "content-range").flatMap(Self.contentRange),
                    range.start == have
                else { return .failure(.transport("a partial answer that does not start at byte \(have)")) }
                total = range.total
            case 416:
                // Asked past the end: the part may be whole already.
                if let range = response.headers.first(name: "content-range"), let t = Self.unsatisfied(range), t == have
                {
                    return .success(())
                }
                unlink(part)
                return .failure(.transport("the server refused to resume; starting over"))
            case 404, 410:
                return .failure(.notFound(code))
            default:
                return .failure(.status(code))
            }
            if let total, total > Self.maxFileBytes { return .failure(.tooLarge(Self.maxFileBytes)) }
            let fd = open(part, O_WRONLY | O_CREAT | (have == 0 ? O_TRUNC : O_APPEND), 0o644)
            guard fd >= 0 else { return .failure(.local("cannot write \(part): \(String(cString: strerror(errno)))")) }
            defer { close(fd) }
            var written = have
            do {
                for try await chunk in response.body {
                    guard written + UInt64(chunk.readableBytes) <= (total ?? Self.maxFileBytes) else {
                        return .failure(.transport("more bytes than the server declared"))
                    }
                    let ok = chunk.withUnsafeReadableBytes { raw -> Bool in
                        guard let base = raw.baseAddress else { return true }
                        var offset = 0
                        while offset < raw.count {
                            let n = Glibc.write(fd, base + offset, raw.count - offset)
                            if n <= 0 { return false }
                            offset += n
                        }
                        return true
                    }
                    guard ok else {
                        return .failure(.local("cannot write \(part): \(String(cString: strerror(errno)))"))
                    }
                    written += UInt64(chunk.readableBytes)
                    counter.add(UInt64(chunk.readableBytes))
                }
            } catch {
                if let total { return .failure(.truncated(written, of: total)) }
                return .failure(.transport(RetryPolicy.describe(error)))
            }
            if let total, written != total { return .failure(.truncated(written, of: total)) }
            return .success(())
        } catch {
            return .failure(.transport(RetryPolicy.describe(error)))
        }
    }

    /// A file's size, 0 when it is not there.
    static func size(_ path: String) -> UInt64 {
        var s = stat()
        return stat(path, &s) == 0 ? UInt64(max(0, s.st_size)) : 0
    }

    /// `bytes START-END/TOTAL` → (START, TOTAL).
    static func contentRange(_ text: String) -> (start: UInt64, total: UInt64)? {
        guard text.hasPrefix("bytes ") else { return nil }
        let parts = text.dropFirst(6).split(separator: "/")
        guard parts.count == 2, let total = UInt64(parts[1]) else { return nil }
        let span = parts[0].split(separator: "-")
        guard span.count == 2, let start = UInt64(span[0]), let end = UInt64(span[1]), start <= end, end < total else {
            return nil
        }
        return (start, total)
    }

    /// `bytes */TOTAL` → TOTAL.
    static func unsatisfied(_ text: String) -> UInt64? {
        guard text.hasPrefix("bytes */") else { return nil }
        return UInt64(text.dropFirst(8))
    }

}
