/// Which public archive a collector's files are in, and how that archive lays them out.
public enum ArchiveProject: String, Sendable, Hashable, CaseIterable {
    /// RIPE RIS: `BASE/rrcNN/YYYY.MM/bview.YYYYMMDD.HHMM.gz` (every 8 h) and `updates.…gz` (every 5 min).
    case ris
    /// RouteViews: `BASE/COLLECTOR/bgpdata/YYYY.MM/{RIBS,UPDATES}/rib.…bz2` (about every 2 h) and
    /// `updates.…bz2` (every 15 min, times not always on the clock).
    case routeViews = "routeviews"

    /// The public base URL.
    public var defaultBase: String {
        switch self {
        case .ris: "https://data.ris.ripe.net"
        case .routeViews: "https://archive.routeviews.org"
        }
    }

    /// How long an update file nominally covers, seconds: what the last listed file is taken to span.
    public var updateSeconds: Double {
        switch self {
        case .ris: 300
        case .routeViews: 900
        }
    }

    /// How far back a RIB is looked for before the range starts, seconds (two RIB periods).
    public var ribLookback: Double {
        switch self {
        case .ris: 16 * 3600
        case .routeViews: 4 * 3600
        }
    }
}

/// One route collector of a public archive, by its name there (`rrc00`, `route-views2`, `route-views.linx`).
public struct ArchiveCollector: Sendable, Hashable, CustomStringConvertible {
    /// The collector's name, as its folder in the archive is named.
    public let name: String
    /// The archive that holds it.
    public let project: ArchiveProject

    /// Why a collector name was refused.
    public struct NameError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// A collector from its name: `rrcNN` is RIPE RIS, `route-views…` RouteViews; anything else is refused
    /// (the name becomes part of a URL and of a cache path, so only letters, digits, `.` and `-` pass).
    public init(_ name: String) throws(NameError) {
        let allowed = name.utf8.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
        guard allowed, (2...40).contains(name.utf8.count), !name.hasPrefix("."), !name.contains("..") else {
            throw NameError(
                description:
                    "collector \"\(name)\" is not a collector name (rrc00 … rrc26 for RIPE RIS, route-views2, route-views.linx, … for RouteViews)"
            )
        }
        if name.hasPrefix("rrc"), name.count == 5, name.dropFirst(3).allSatisfy(\.isNumber) {
            project = .ris
        } else if name.hasPrefix("route-views") {
            project = .routeViews
        } else {
            throw NameError(
                description:
                    "collector \"\(name)\" is neither RIPE RIS's (rrc00 … rrc26) nor RouteViews' (route-views…)")
        }
        self.name = name
    }

    public var description: String { name }

    /// The collectors used when none is named: RIS's multi-hop collector and RouteViews' oldest, the two
    /// with the most full-feed peers between them.
    public static let defaults: [ArchiveCollector] = ["rrc00", "route-views2"].compactMap { try? ArchiveCollector($0) }

    /// Every collector of both archives (`--all-collectors`), past and present: one that has no folder for
    /// a month is told and skipped, not a feed gap.
    public static let all: [ArchiveCollector] = {
        let ris = (0...26).map { $0 < 10 ? "rrc0\($0)" : "rrc\($0)" }
        let routeViews = [
            "route-views2", "route-views3", "route-views4", "route-views5", "route-views6", "route-views7",
            "route-views.amsix", "route-views.bdix", "route-views.bknix", "route-views.chicago", "route-views.chile",
            "route-views.eqix", "route-views.flix", "route-views.fortaleza", "route-views.gixa", "route-views.gorex",
            "route-views.isc", "route-views.jinx", "route-views.kixp", "route-views.linx", "route-views.mwix",
            "route-views.napafrica", "route-views.nwax", "route-views.ny", "route-views.perth", "route-views.peru",
            "route-views.phoix", "route-views.rio", "route-views.saopaulo", "route-views.sfmix", "route-views.sg",
            "route-views.soxrs", "route-views.sydney", "route-views.telxatl", "route-views.uaeix", "route-views.wide",
        ]
        return (ris + routeViews).compactMap { try? ArchiveCollector($0) }
    }()
}
