import ArgumentParser
import BGP
import Foundation
import VigilArchive

/// `vigil replay`'s options for a time range fetched from the public archives.
struct ArchiveOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Start of the range, UTC (2025-06-06T16:00Z, or seconds since 1970); with --to, fetches from the archives.",
            valueName: "time"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("End of the range, UTC (not included).", valueName: "time"))
    var to: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Collectors to fetch, comma-separated: rrc00 … rrc26 (RIPE RIS), route-views2, route-views.linx, … (RouteViews); default rrc00,route-views2.",
            valueName: "list"))
    var collectors: String?

    @Flag(name: .long, help: "Every collector of both archives (those without data in the range are told and skipped).")
    var allCollectors = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where fetched files and listings are kept (default: $XDG_CACHE_HOME/vigil/archives or ~/.cache/vigil/archives).",
            valueName: "dir"))
    var cache: String?

    @Flag(name: .long, help: "Use the cache alone: send no request.")
    var offline = false

    @Option(
        name: .customLong("ris-archive"),
        help: ArgumentHelp("Base URL of RIPE RIS's archive (a mirror).", valueName: "url"))
    var risArchive: String?

    @Option(
        name: .customLong("routeviews-archive"),
        help: ArgumentHelp("Base URL of RouteViews' archive (a mirror).", valueName: "url"))
    var routeViewsArchive: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where a range comes from: archives (RIS and RouteViews files) or ripestat (RIPEstat's bgp-state and bgp-updates for the targets' prefixes: megabytes for a small target; RIS collectors only, data from 2024 on).",
            valueName: "archives|ripestat"))
    var source: Source = .archives

    /// Where a range comes from.
    enum Source: String, ExpressibleByArgument {
        case archives
        case ripestat
    }

    @Option(
        name: .customLong("ripestat-url"),
        help: ArgumentHelp("Base URL of RIPEstat's data API (default https://stat.ripe.net).", valueName: "url"))
    var ripestatURL: String?

    @Option(name: .long, help: ArgumentHelp("Downloads at once (1 to 16; RIPEstat: at most 4).", valueName: "n"))
    var parallel = 4

    @Option(
        name: .customLong("http-timeout"),
        help: ArgumentHelp(
            "Seconds a connection or a silent download may take before it is tried again (0.1 to 3600).",
            valueName: "seconds"))
    var httpTimeout = 30.0

    @Option(name: .long, help: ArgumentHelp("Tries after the first failed one, per file (0 to 10).", valueName: "n"))
    var retries = 3

    /// Any option that only means something when fetching.
    var fetches: Bool {
        collectors != nil || allCollectors || cache != nil || offline || risArchive != nil || routeViewsArchive != nil
            || source != .archives || ripestatURL != nil
    }

    /// The range, when both ends are given (checked in `validate`).
    var range: (from: Double, to: Double)? {
        guard let from, let to, case .success(let a) = UTCTime.read(from), case .success(let b) = UTCTime.read(to)
        else { return nil }
        return (a, b)
    }

    func validate() throws {
        if (from == nil) != (to == nil) { throw ValidationError("--from and --to go together") }
        if let from, let to {
            let a = try Self.time(from, "--from")
            let b = try Self.time(to, "--to")
            guard b > a else { throw ValidationError("--to (\(to)) must be after --from (\(from))") }
            guard b - a <= 31 * 86400 else {
                throw ValidationError("the range is longer than 31 days; replay it in parts")
            }
        }
        if collectors != nil && allCollectors { throw ValidationError("--collectors or --all-collectors, not both") }
        _ = try chosenCollectors()
        guard (1...16).contains(parallel) else {
            throw ValidationError("--parallel must be from 1 to 16, not \(parallel)")
        }
        guard (0.1...3600).contains(httpTimeout) else {
            throw ValidationError("--http-timeout must be from 0.1 to 3600 seconds, not \(httpTimeout)")
        }
        guard (0...10).contains(retries) else {
            throw ValidationError("--retries must be from 0 to 10, not \(retries)")
        }
        if source == .ripestat && (collectors != nil || allCollectors || risArchive != nil || routeViewsArchive != nil)
        {
            throw ValidationError(
                "--source ripestat asks RIPEstat about the targets' prefixes; --collectors and the archive URLs are for --source archives"
            )
        }
        if ripestatURL != nil && source != .ripestat {
            throw ValidationError("--ripestat-url goes with --source ripestat")
        }
        for (name, url) in [
            ("--ris-archive", risArchive), ("--routeviews-archive", routeViewsArchive), ("--ripestat-url", ripestatURL),
        ] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                throw ValidationError("\(name) must be an http:// or https:// URL, not \(url)")
            }
        }
    }

    static func time(_ text: String, _ name: String) throws -> Double {
        switch UTCTime.read(text) {
        case .success(let t): return t
        case .failure(let e): throw ValidationError("\(name) \(text) \(e.reason)")
        }
    }

    func chosenCollectors() throws -> [ArchiveCollector] {
        if allCollectors { return ArchiveCollector.all }
        guard let collectors else { return ArchiveCollector.defaults }
        var out: [ArchiveCollector] = []
        for name in collectors.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
        where !name.isEmpty {
            do {
                let c = try ArchiveCollector(name)
                if !out.contains(c) { out.append(c) }
            } catch {
                throw ValidationError("--collectors: \(error)")
            }
        }
        guard !out.isEmpty else { throw ValidationError("--collectors names no collector") }
        return out
    }

    /// The cache folder asked for, or the default.
    func cacheRoot() throws -> String {
        guard let root = cache ?? ArchiveCache.defaultRoot(environment: ProcessInfo.processInfo.environment) else {
            throw RuntimeError("no cache folder: set XDG_CACHE_HOME or HOME, or give --cache DIR")
        }
        return root
    }

    /// The RIPEstat fetch these options ask for, about `prefixes`; nil without a range or with archives.
    func ripestatRequest(prefixes: [String]) throws -> RIPEstatRequest? {
        guard let range, source == .ripestat else { return nil }
        guard !prefixes.isEmpty else {
            throw RuntimeError("--source ripestat: the targets list no prefix to ask about; use --source archives")
        }
        var request = RIPEstatRequest(
            resources: prefixes, from: range.from, to: range.to, cache: ArchiveCache(root: try cacheRoot()))
        if let ripestatURL { request.base = ripestatURL }
        request.offline = offline
        request.parallel = min(parallel, 4)
        request.timeout = .milliseconds(Int64(max(httpTimeout, 1) * 1000))
        request.retries = retries
        return request
    }

    /// The archive fetch these options ask for; nil without a range or with RIPEstat.
    func request() throws -> ArchiveRequest? {
        guard let range, source == .archives else { return nil }
        var request = ArchiveRequest(
            from: range.from, to: range.to, collectors: try chosenCollectors(),
            cache: ArchiveCache(root: try cacheRoot()))
        if let risArchive { request.bases[.ris] = risArchive }
        if let routeViewsArchive { request.bases[.routeViews] = routeViewsArchive }
        request.offline = offline
        request.parallel = parallel
        request.timeout = .milliseconds(Int64(httpTimeout * 1000))
        request.retries = retries
        return request
    }
}
