import BGP
import GRDB
import Vigil

/// A row of `routes`: one peer's route into a target's space, kept so that a restart finds the state it
/// stopped in. A route is known by its target, peer and prefix.
struct RouteRecord: FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "routes"

    /// The table's columns.
    enum Columns {
        static let target = Column("target")
        static let collector = Column("collector")
        static let address = Column("address")
        static let asn = Column("asn")
        static let prefix = Column("prefix")
        static let time = Column("time")
    }

    var target: String
    var collector: String
    var address: String
    var asn: Int
    var prefix: String
    var origin: Int?
    var upstream: Int?
    var time: Double

    /// The row for `route` of `target`.
    init(_ r: StoredRoute, target: String) {
        self.target = target
        collector = r.peer.collector
        address = r.peer.address.description
        asn = Int(r.peer.asn)
        prefix = r.prefix.description
        origin = r.origin.map { Int($0) }
        upstream = r.upstream.map { Int($0) }
        time = r.time
    }

    init(row: Row) {
        target = row["target"]
        collector = row["collector"]
        address = row["address"]
        asn = row["asn"]
        prefix = row["prefix"]
        origin = row["origin"]
        upstream = row["upstream"]
        time = row["time"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["target"] = target
        container["collector"] = collector
        container["address"] = address
        container["asn"] = asn
        container["prefix"] = prefix
        container["origin"] = origin
        container["upstream"] = upstream
        container["time"] = time
    }

    /// The route the row holds; nil when its address or prefix does not read (a row written by hand).
    var route: StoredRoute? {
        guard let address = IPAddress(address), let prefix = IPPrefix(prefix) else { return nil }
        return StoredRoute(
            peer: PeerKey(collector: collector, address: address, asn: UInt32(clamping: asn)), prefix: prefix,
            origin: origin.map { UInt32(clamping: $0) }, upstream: upstream.map { UInt32(clamping: $0) }, time: time)
    }
}
