import BGP

/// Where the archives' files and listings are kept on disk, and the URLs they come from: the one path
/// helper of archive fetching.
///
/// Files: `ROOT/PROJECT/COLLECTOR/YYYY.MM/NAME` (the collector's name is the folder that `vigil replay`
/// takes a file's collector from); listings beside them as `listing.html` (RIS) or `listing-RIBS.html` and
/// `listing-UPDATES.html` (RouteViews). A download goes to `NAME.part` and is renamed once its size is the
/// one the server declared, so a file under its own name is whole.
public struct ArchiveCache: Sendable {
    /// The cache's folder.
    public var root: String

    public init(root: String) { self.root = root }

    /// Where a RIPEstat answer is kept: `ROOT/ripestat/CALL-HASH.json`, the hash (64-bit FNV-1a, hex) of
    /// the call's query without `sourceapp`, so the same question asked again finds its answer.
    public func ripestatPath(call: String, query: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in query.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return root + "/ripestat/" + call + "-" + String(repeating: "0", count: 16 - hex.count) + hex + ".json"
    }

    /// The default folder: `$XDG_CACHE_HOME/vigil/archives`, else `$HOME/.cache/vigil/archives`.
    public static func defaultRoot(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/vigil/archives" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.cache/vigil/archives" }
        return nil
    }

    /// `YYYY.MM` of a time (the archives' month folders).
    public static func month(_ time: Double) -> String {
        let c = CivilTime(unix: Int64(time.rounded(.down)))
        return "\(c.year).\(c.month < 10 ? "0" : "")\(c.month)"
    }

    /// The months from `from`'s to `to`'s, as `YYYY.MM`.
    public static func months(from: Double, to: Double) -> [String] {
        var out: [String] = []
        let a = CivilTime(unix: Int64(from.rounded(.down)))
        let b = CivilTime(unix: Int64(to.rounded(.down)))
        var (y, m) = (a.year, a.month)
        while (y, m) <= (b.year, b.month), out.count < 1200 {
            out.append("\(y).\(m < 10 ? "0" : "")\(m)")
            m += 1
            if m == 13 { (y, m) = (y + 1, 1) }
        }
        return out
    }

    /// A collector's month folder in the cache.
    public func folder(_ collector: ArchiveCollector, month: String) -> String {
        "\(root)/\(collector.project.rawValue)/\(collector.name)/\(month)"
    }

    /// The cached file's path.
    public func path(_ collector: ArchiveCollector, month: String, name: String) -> String {
        "\(folder(collector, month: month))/\(name)"
    }

    /// The cached path of an archive file, in the month folder of the time its name gives.
    public func path(_ collector: ArchiveCollector, _ file: ArchiveFile) -> String {
        path(collector, month: Self.month(file.time), name: file.name)
    }

    /// The cached listing's path; `kind` is nil for RIS (one folder for both kinds).
    public func listingPath(_ collector: ArchiveCollector, month: String, kind: ArchiveFile.Kind?) -> String {
        switch kind {
        case nil: "\(folder(collector, month: month))/listing.html"
        case .rib: "\(folder(collector, month: month))/listing-RIBS.html"
        case .updates: "\(folder(collector, month: month))/listing-UPDATES.html"
        }
    }

    /// The folder URLs that list a collector's files of a month, per kind (RIS: one folder for both), in
    /// the order to try: RouteViews' route-views2 lived at the archive's root (`BASE/bgpdata/…`) until it
    /// moved under its own folder in 2026, so both are tried, the likelier first.
    public static func listingURLs(base: String, _ collector: ArchiveCollector, month: String)
        -> [(kind: ArchiveFile.Kind?, urls: [String])]
    {
        let base = base.hasSuffix("/") ? String(base.dropLast()) : base
        switch collector.project {
        case .ris:
            return [(nil, ["\(base)/\(collector.name)/\(month)/"])]
        case .routeViews:
            var roots = ["\(base)/\(collector.name)/bgpdata/\(month)"]
            if collector.name == "route-views2" {
                let legacy = "\(base)/bgpdata/\(month)"
                roots = month < "2026" ? [legacy, roots[0]] : [roots[0], legacy]
            }
            return [(.rib, roots.map { "\($0)/RIBS/" }), (.updates, roots.map { "\($0)/UPDATES/" })]
        }
    }
}
