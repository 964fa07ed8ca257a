import BGP
import GRDB
import Vigil

/// A row of `signals`: one closed bin of a target's signals, its maps as `SignalBin.jsonLine` writes
/// them (the API copies these columns into its answers), clustered by target and start.
struct SignalRecord: FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "signals"

    /// The table's columns.
    enum Columns {
        static let target = Column("target")
        static let start = Column("start")
    }

    var target: String
    var start: Double
    var seconds: Double
    var prefixesUp: Int
    var prefixes: Int
    var votingPeers: Int
    var updates: Int
    var visibility: String
    var upstreams: String
    /// The dark share of the target's space, 0...1 (a value out of bounds is stored clamped, NaN as 0).
    var darkShare: Double
    var origins: String

    /// The row for bin `s`.
    init(_ s: SignalBin) {
        target = s.target
        start = s.start
        seconds = s.seconds
        prefixesUp = s.prefixesUp
        prefixes = s.prefixes
        votingPeers = s.votingPeers
        updates = s.updates
        visibility = s.visibilityJSON
        upstreams = s.upstreamsJSON
        darkShare = s.darkShare.isFinite ? min(max(s.darkShare, 0), 1) : 0
        origins = s.originsJSON
    }

    init(row: Row) {
        target = row["target"]
        start = row["start"]
        seconds = row["seconds"]
        prefixesUp = row["prefixes_up"]
        prefixes = row["prefixes"]
        votingPeers = row["voting_peers"]
        updates = row["updates"]
        visibility = row["visibility"]
        upstreams = row["upstreams"]
        darkShare = row["dark_share"]
        origins = row["origins"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["target"] = target
        container["start"] = start
        container["seconds"] = seconds
        container["prefixes_up"] = prefixesUp
        container["prefixes"] = prefixes
        container["voting_peers"] = votingPeers
        container["updates"] = updates
        container["visibility"] = visibility
        container["upstreams"] = upstreams
        container["dark_share"] = darkShare
        container["origins"] = origins
    }
}
