import Foundation
import GRDB
import Vigil

extension History {
    /// A target's signals from `from` to `to`, oldest first, in bins of `bin` seconds (nil: as stored).
    /// A wider bin keeps the worst stored moment in it, so zooming out never hides a short outage.
    /// The per-prefix visibility is decoded only when `visibility` is true: the charts and the status do
    /// not draw it, and a country's map is thousands of entries in every bin (the API copies the stored
    /// text instead, `signalsJSON`).
    public func signalBins(target: String, from: Double, to: Double, bin: Double? = nil, visibility: Bool = false)
        throws(StoreError) -> [SignalBin]
    {
        let (sql, arguments) = Self.signalsQuery(target: target, from: from, to: to, bin: bin)
        return try read { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map {
                Self.signalBin($0, target: target, visibility: visibility)
            }
        }
    }

    /// The query behind `signalBins` and `signalsJSON`; its columns, in this order: bin_start, bin_seconds,
    /// prefixes_up, prefixes, voting_peers, updates, upstreams, visibility, dark_share, origins. A wider bin keeps the stored row
    /// with the fewest prefixes up (SQLite fills the bare columns from the row that holds MIN()).
    static func signalsQuery(target: String, from: Double, to: Double, bin: Double?) -> (String, StatementArguments) {
        if let bin, bin > 0 {
            return (
                """
                SELECT CAST(start / ? AS INTEGER) * ? AS bin_start, ? AS bin_seconds, MIN(prefixes_up) AS prefixes_up,
                    prefixes, voting_peers, SUM(updates) AS updates, upstreams, visibility, dark_share, origins
                FROM signals WHERE target = ? AND start >= ? AND start < ?
                GROUP BY CAST(start / ? AS INTEGER) ORDER BY bin_start
                """, [bin, bin, bin, target, from, to, bin]
            )
        }
        return (
            """
            SELECT start AS bin_start, seconds AS bin_seconds, prefixes_up, prefixes, voting_peers, updates, upstreams,
                visibility, dark_share, origins
            FROM signals WHERE target = ? AND start >= ? AND start < ? ORDER BY start
            """, [target, from, to]
        )
    }

    /// The bin a row of `signalsQuery`'s columns holds, its upstream and origin maps decoded (entries that
    /// do not read are dropped), its visibility map only when asked.
    static func signalBin(_ row: Row, target: String, visibility: Bool) -> SignalBin {
        SignalBin(
            target: target, start: row["bin_start"], seconds: row["bin_seconds"], prefixesUp: row["prefixes_up"],
            prefixes: row["prefixes"], votingPeers: row["voting_peers"], updates: row["updates"],
            visibility: visibility ? StoreJSON.byPrefix(row["visibility"]) : [:],
            upstreamShare: StoreJSON.byASN(row["upstreams"]), darkShare: row["dark_share"],
            originShare: StoreJSON.byASN(row["origins"]))
    }
}
