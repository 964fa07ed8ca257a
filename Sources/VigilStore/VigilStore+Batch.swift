import BGP
import GRDB
import Vigil

/// One peer's route into the watched space, as kept for restarts.
public struct StoredRoute: Sendable, Equatable {
    /// The peer.
    public var peer: PeerKey
    /// The prefix.
    public var prefix: IPPrefix
    /// Origin and upstream of the path (nil when unknown).
    public var origin: UInt32?
    public var upstream: UInt32?
    /// When it was announced.
    public var time: Double

    /// Creates a route.
    public init(peer: PeerKey, prefix: IPPrefix, origin: UInt32?, upstream: UInt32?, time: Double) {
        self.peer = peer
        self.prefix = prefix
        self.origin = origin
        self.upstream = upstream
        self.time = time
    }
}

/// Everything one step of live monitoring changed, written in one transaction: the routes behind an
/// event are never committed after the event, nor the event after a crash that kept its routes.
public struct StoreBatch: Sendable {
    /// The target.
    public var target: String
    /// Routes announced (or replaced).
    public var announced: [StoredRoute] = []
    /// Routes withdrawn: (peer, prefix).
    public var withdrawn: [(PeerKey, IPPrefix)] = []
    /// Peers whose session went down: all their routes go.
    public var peersDown: [PeerKey] = []
    /// Events to insert or replace, and whether each is still open.
    public var events: [(event: DetectedEvent, open: Bool)] = []
    /// Peer times.
    public var peers: [StoredPeer] = []
    /// Finished bins.
    public var signals: [StoredSignals] = []
    /// Settings to store (key, value).
    public var settings: [(String, String)] = []
    /// Probe results, per URL and bin (added to what a bin already holds).
    public var probes: [StoredProbeBin] = []

    /// An empty batch for `target`.
    public init(target: String) { self.target = target }

    /// Nothing to write.
    public var isEmpty: Bool {
        announced.isEmpty && withdrawn.isEmpty && peersDown.isEmpty && events.isEmpty && peers.isEmpty
            && signals.isEmpty && settings.isEmpty && probes.isEmpty
    }
}

extension VigilStore {
    /// Writes a batch in one transaction.
    public func commit(_ batch: StoreBatch) throws(StoreError) {
        guard !batch.isEmpty else { return }
        let t = batch.target
        try write { db in
            for s in batch.signals { try Self.insert(signals: s, db) }
            for p in batch.probes { try Self.insert(probes: p, target: t, db) }
            for (e, open) in batch.events { try Self.insert(event: e, open: open, db) }
            try Self.insert(peers: batch.peers, target: t, db)
            for (key, value) in batch.settings {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", arguments: [key, value])
            }
            for k in batch.peersDown {
                try db.execute(
                    sql: "DELETE FROM routes WHERE target = ? AND collector = ? AND address = ? AND asn = ?",
                    arguments: [t, k.collector, k.address.description, Int(k.asn)])
            }
            for (k, p) in batch.withdrawn {
                try db.execute(
                    sql:
                        "DELETE FROM routes WHERE target = ? AND collector = ? AND address = ? AND asn = ? AND prefix = ?",
                    arguments: [t, k.collector, k.address.description, Int(k.asn), p.description])
            }
            for r in batch.announced {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO routes (target, collector, address, asn, prefix, origin, upstream, time)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        t, r.peer.collector, r.peer.address.description, Int(r.peer.asn), r.prefix.description,
                        r.origin.map { Int($0) }, r.upstream.map { Int($0) }, r.time,
                    ])
            }
        }
    }

    /// The routes kept for a target, to seed the view at start-up.
    public func routes(target: String) throws(StoreError) -> [StoredRoute] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM routes WHERE target = ? ORDER BY time", arguments: [target])
                .compactMap { row in
                    guard let address = IPAddress(row["address"] as String),
                        let prefix = IPPrefix(row["prefix"] as String)
                    else { return nil }
                    let origin: Int? = row["origin"]
                    let upstream: Int? = row["upstream"]
                    return StoredRoute(
                        peer: PeerKey(
                            collector: row["collector"], address: address, asn: UInt32(clamping: row["asn"] as Int)),
                        prefix: prefix, origin: origin.map { UInt32(clamping: $0) },
                        upstream: upstream.map { UInt32(clamping: $0) }, time: row["time"])
                }
        }
    }
}
