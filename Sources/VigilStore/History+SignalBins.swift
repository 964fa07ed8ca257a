import Foundation
import GRDB

/// A bin of a target's signals as the API and the pages show it: the stored per-prefix and per-upstream
/// figures kept as their JSON text, so a long range is served without decoding every row.
public struct SignalBin: Sendable, Equatable {
    /// Bin start and length, seconds.
    public var start: Double
    public var seconds: Double
    /// The worst moment in the bin: the fewest prefixes up, of how many, with that moment's voting peers.
    public var prefixesUp: Int
    public var prefixes: Int
    public var votingPeers: Int
    /// Route updates in the whole bin.
    public var updates: Int
    /// Visibility per prefix and routes per voting peer through each upstream, as JSON objects, at the
    /// worst moment.
    public var visibilityJSON: String
    public var upstreamsJSON: String
    /// The dark share of the target's address space (0...1) at the worst moment.
    public var darkShare: Double = 0
    /// Per origin AS, the share of the peers up carrying its routes into the target's space, as JSON.
    public var originsJSON: String = "{}"

    /// Per origin AS, the share of the peers up carrying its routes, decoded.
    public var originShare: [UInt32: Double] { StoreJSON.byASN(originsJSON) }

    /// Routes per voting peer through each upstream, decoded.
    public var upstreamShare: [UInt32: Double] { StoreJSON.byASN(upstreamsJSON) }
}

extension History {
    /// A target's signals from `from` to `to`, oldest first, in bins of `bin` seconds (nil: as stored).
    /// A wider bin keeps the worst stored moment in it, so zooming out never hides a short outage.
    public func signalBins(target: String, from: Double, to: Double, bin: Double? = nil) throws(StoreError)
        -> [SignalBin]
    {
        let (sql, arguments) = Self.signalsQuery(target: target, from: from, to: to, bin: bin)
        return try read { db in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(Self.signalBin)
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

    static func signalBin(_ row: Row) -> SignalBin {
        SignalBin(
            start: row["bin_start"], seconds: row["bin_seconds"], prefixesUp: row["prefixes_up"],
            prefixes: row["prefixes"], votingPeers: row["voting_peers"], updates: row["updates"],
            visibilityJSON: row["visibility"], upstreamsJSON: row["upstreams"], darkShare: row["dark_share"],
            originsJSON: row["origins"])
    }
}
