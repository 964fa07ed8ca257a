import BGP
import GRDB
import Vigil

/// A row of `peers`: when a peer of a target's sources was last heard, and last seen carrying a route
/// into the target's space (without a RIB, those peers vote after a restart).
struct PeerRecord: FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "peers"

    /// The table's columns.
    enum Columns {
        static let target = Column("target")
        static let collector = Column("collector")
        static let address = Column("address")
        static let asn = Column("asn")
        static let lastHeard = Column("last_heard")
        static let lastRoute = Column("last_route")
    }

    var target: String
    var collector: String
    var address: String
    var asn: Int
    var lastHeard: Double
    var lastRoute: Double?

    /// The row for `peer` of `target`.
    init(_ p: StoredPeer, target: String) {
        self.target = target
        collector = p.key.collector
        address = p.key.address.description
        asn = Int(p.key.asn)
        lastHeard = p.lastHeard
        lastRoute = p.lastRoute
    }

    init(row: Row) {
        target = row["target"]
        collector = row["collector"]
        address = row["address"]
        asn = row["asn"]
        lastHeard = row["last_heard"]
        lastRoute = row["last_route"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["target"] = target
        container["collector"] = collector
        container["address"] = address
        container["asn"] = asn
        container["last_heard"] = lastHeard
        container["last_route"] = lastRoute
    }

    /// The peer the row holds; nil when its address does not read.
    var peer: StoredPeer? {
        guard let address = IPAddress(address) else { return nil }
        return StoredPeer(
            key: PeerKey(collector: collector, address: address, asn: UInt32(clamping: asn)), lastHeard: lastHeard,
            lastRoute: lastRoute)
    }
}
